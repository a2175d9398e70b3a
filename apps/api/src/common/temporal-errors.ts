import { HttpStatus } from '@nestjs/common';
import {
  ApplicationFailure,
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { type FailureType, FailureTypes } from '@voice/shared';

import { DomainError } from './domain-error';

/** Status for each non-retryable ApplicationFailure type our activities throw. */
const FAILURE_TYPE_STATUS: Readonly<Record<FailureType, HttpStatus>> = {
  [FailureTypes.InvalidAudio]: HttpStatus.UNPROCESSABLE_ENTITY,
  [FailureTypes.UnknownModel]: HttpStatus.BAD_REQUEST,
  [FailureTypes.InsufficientCredits]: HttpStatus.PAYMENT_REQUIRED,
  [FailureTypes.QualityCheckFailed]: HttpStatus.UNPROCESSABLE_ENTITY,
  [FailureTypes.InvalidRequest]: HttpStatus.BAD_REQUEST,
};

function isFailureType(type: string | null | undefined): type is FailureType {
  return typeof type === 'string' && Object.hasOwn(FAILURE_TYPE_STATUS, type);
}

// gRPC status codes meaning "Temporal is not reachable right now" rather than "your request is wrong".
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/**
 * The error boundary's hook for Temporal client errors: returns the DomainError to answer with, or
 * undefined when the error is not a recognised Temporal error (the filter then treats it as unknown → 500).
 * Messages are rewritten so server internals (addresses, stack traces) never reach the client.
 */
export function mapTemporalError(error: unknown): DomainError | undefined {
  if (error instanceof WorkflowNotFoundError) {
    return new DomainError('WORKFLOW_NOT_FOUND', HttpStatus.NOT_FOUND, 'Workflow not found', { cause: error });
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return new DomainError('ALREADY_STARTED', HttpStatus.CONFLICT, 'This job has already been started', {
      cause: error,
    });
  }
  if (error instanceof WorkflowFailedError) {
    const failure = error.cause;
    if (failure instanceof ApplicationFailure && isFailureType(failure.type)) {
      return new DomainError(failure.type, FAILURE_TYPE_STATUS[failure.type], failure.message, { cause: error });
    }
    return undefined;
  }
  if (error instanceof ServiceError) {
    const grpc = error.cause;
    if (isGrpcServiceError(grpc) && (grpc.code === GRPC_UNAVAILABLE || grpc.code === GRPC_DEADLINE_EXCEEDED)) {
      return new DomainError('TEMPORAL_UNAVAILABLE', HttpStatus.SERVICE_UNAVAILABLE, 'Job service is unavailable', {
        cause: error,
      });
    }
  }
  return undefined;
}
