import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from '@voice/shared';
import { failureRule, permanentFailure, toFailure, withFailureRules } from '../src';

class BadInputError extends Error {
  constructor(
    readonly reason: 'empty' | 'missing',
    message: string,
  ) {
    super(message);
  }
}
class WorseInputError extends BadInputError {}
class EngineError extends Error {}

const rules = [
  failureRule(BadInputError, FailureTypes.InvalidRequest, { when: (error) => error.reason === 'empty' }),
  failureRule(BadInputError, FailureTypes.ModelUnavailable, { message: (error) => `not installed: ${error.message}` }),
];

function assertPermanent(error: unknown, type: string, message: string): void {
  assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
  assert.equal(error.nonRetryable, true);
  assert.equal(error.type, type);
  assert.equal(error.message, message);
}

describe('the failure mapper', () => {
  it('maps a matching error to a non-retryable failure of the first rule that matches', () => {
    assertPermanent(toFailure(new BadInputError('empty', 'no samples'), rules), 'InvalidRequest', 'no samples');
    assertPermanent(
      toFailure(new BadInputError('missing', 'apertium'), rules),
      'ModelUnavailable',
      'not installed: apertium',
    );
  });

  it('matches subclasses of a rule', () => {
    assertPermanent(toFailure(new WorseInputError('empty', 'nothing'), rules), 'InvalidRequest', 'nothing');
  });

  it('leaves other errors as they are, so Temporal retries them', () => {
    const transient = new EngineError('socket hang up');
    assert.equal(toFailure(transient, rules), transient);
    assert.equal(toFailure('a string', rules), 'a string');
  });

  it('passes failures that are already classified through untouched', () => {
    const failure = ApplicationFailure.retryable('try again', 'Whatever');
    assert.equal(toFailure(failure, rules), failure);
  });

  it('withFailureRules rethrows what the work throws through the rules and returns what it returns', async () => {
    assert.equal(await withFailureRules(rules, async () => 42), 42);
    await assert.rejects(
      withFailureRules(rules, async () => {
        throw new BadInputError('empty', 'blank');
      }),
      (error: unknown) => {
        assertPermanent(error, 'InvalidRequest', 'blank');
        return true;
      },
    );
  });

  it('permanentFailure uses the FailureTypes value, including the platform-side ones', () => {
    assertPermanent(permanentFailure(FailureTypes.Internal, 'broken'), 'InternalError', 'broken');
    assertPermanent(permanentFailure(FailureTypes.JobNotActive, 'gone'), 'JobNotActive', 'gone');
  });
});
