import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CallHandler,
  type DynamicModule,
  type ExecutionContext,
  Injectable,
  Module,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureLogging, processLogger, redactUrl } from '@voice/runtime';
import { Logger, LoggerModule, PinoLogger } from 'nestjs-pino';
import type { Observable } from 'rxjs';
import type { SerializedRequest, SerializedResponse } from 'pino';

import type { ApiDependencies } from '../../api-dependencies';
import type { AuthenticatedRequest } from '../../auth/auth-principal';
import { ApiLogger } from './api-logger';
import { requestContextMiddleware, requestIdOf } from './request-context';

/** Probes poll every few seconds: their lines are debug, unless they fail. */
const PROBE_PATH = /^\/api\/health(\/|$|\?)/;

/** Routes with a credential in the path (the mailed verification link), masked on top of the query's secrets. */
const SECRET_PATH_SEGMENT = /(\/verify-email\/)[^/?#]+/;

/** The URL as logged: secret path segments and query values masked. */
export function loggedUrl(url: string): string {
  return redactUrl(url).replace(SECRET_PATH_SEGMENT, '$1[Redacted]');
}

function urlOf(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
}

/**
 * Adds fields to the current request's log lines, the ones after it and the request's own line at the end;
 * outside a request (a start-up hook) it does nothing.
 */
export function annotateRequestLog(logger: PinoLogger, fields: Record<string, string>): void {
  try {
    logger.assign(fields);
  } catch {
    // Out of request scope: there is no request line to annotate.
  }
}

/** Puts the caller's user id (and API key id) on the request's log lines, once the auth guard has found them. */
@Injectable()
export class RequestUserLogInterceptor implements NestInterceptor {
  constructor(private readonly logger: PinoLogger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const { principal } = context.switchToHttp().getRequest<AuthenticatedRequest>();
      if (principal) {
        annotateRequestLog(this.logger, {
          userId: principal.userId,
          ...(principal.method === 'api-key' ? { apiKeyId: principal.apiKeyId } : {}),
        });
      }
    }
    return next.handle();
  }
}

/**
 * The API's logs: one JSON line per request (pino-http through nestjs-pino) with its requestId, method, redacted
 * URL, status, duration and the userId once known; every Nest `Logger` line inside a request carries the same
 * requestId. Headers and bodies are never logged.
 */
@Module({})
export class LoggingModule {
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // Fields assigned during the request (userId, jobId) reach its final line too.
          assignResponse: true,
          pinoHttp: {
            logger: processLogger(),
            genReqId: requestIdOf,
            // In-request lines get requestId only; the request line also gets `req` and `res`.
            quietReqLogger: true,
            customAttributeKeys: { reqId: 'requestId' },
            serializers: {
              req: (req: SerializedRequest) => ({
                method: req.method,
                url: loggedUrl(req.url),
                remoteAddress: req.remoteAddress,
              }),
              res: (res: SerializedResponse) => ({ statusCode: res.statusCode }),
            },
            customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
              if (error || res.statusCode >= 500) return 'error';
              return PROBE_PATH.test(urlOf(req)) ? 'debug' : 'info';
            },
            customSuccessMessage: (req: IncomingMessage, res: ServerResponse) =>
              `${req.method ?? ''} ${loggedUrl(urlOf(req))} ${res.statusCode}`,
            customErrorMessage: (req: IncomingMessage, res: ServerResponse) =>
              `${req.method ?? ''} ${loggedUrl(urlOf(req))} ${res.statusCode}`,
          },
        }),
      ],
      providers: [{ provide: APP_INTERCEPTOR, useClass: RequestUserLogInterceptor }],
    };
  }
}

/**
 * Points the process's logs at the API's env (or the caller's destination), makes Nest log through pino, and gives
 * every request its id first of all. Call right after NestFactory.create (with `bufferLogs: true`).
 */
export function useApiLogging(
  app: NestExpressApplication,
  deps: Pick<ApiDependencies, 'env' | 'logDestination'>,
): void {
  configureLogging(deps.env, deps.logDestination ? { destination: deps.logDestination } : {});
  app.useLogger(new ApiLogger(app.get(Logger)));
  app.use(requestContextMiddleware);
}
