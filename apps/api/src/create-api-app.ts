import 'reflect-metadata';

import type { Server } from 'node:http';

import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { raw } from 'express';
import helmet from 'helmet';
import { httpMetricsMiddleware } from '@voice/metrics';

import type { ApiDependencies } from './api-dependencies';
import { AppModule } from './app.module';
import { useApiLogging } from './common/logging/logging.module';
import { setupOpenApi } from './common/openapi';
import { corsOptions, helmetOptions } from './common/security-headers';
import { ApiLifecycle } from './lifecycle/api-lifecycle';
import { defaultWebAppDir, serveWebApp } from './web/web-app';

export const GLOBAL_PREFIX = 'api';
/** The OpenAI-compatible API's own root (apps/api/src/openai). */
export const OPENAI_PREFIX = 'v1';
/** Request bodies are small JSON documents; audio arrives as multipart uploads with their own limit. */
export const JSON_BODY_LIMIT = '1mb';
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Builds and initialises the API (not yet listening): call `app.listen(port, host)`, and `shutdownApiApp(app,
 * graceMs)` (or `app.close()`, which does not drain) to stop. Every response carries helmet's security headers (CSP, nosniff, frame denial, HSTS behind HTTPS); CORS
 * is on only for ALLOWED_ORIGINS, as the web app is normally served from the same origin.
 */
export async function createApiApp(deps: ApiDependencies): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(deps), {
    bodyParser: false,
    // Throw to the caller instead of process.exit() so the launcher and tests see boot errors.
    abortOnError: false,
    // Held until useApiLogging hands Nest the pino logger, so even start-up lines are JSON.
    bufferLogs: true,
  });
  useApiLogging(app, deps);
  app.disable('x-powered-by');
  // Before everything else, so every answer is counted and timed, the ones helmet or a body parser gives included.
  if (deps.metrics) app.use(httpMetricsMiddleware(deps.metrics));
  // First, so error responses and the Swagger UI get the headers too.
  // Before anything reads req.ip: the per-address rate limits must see the client, not the gateway.
  if (deps.env.TRUST_PROXY !== undefined) app.set('trust proxy', deps.env.TRUST_PROXY);
  app.use(helmet(helmetOptions(deps.env)));
  const cors = corsOptions(deps.env);
  if (cors) app.enableCors(cors);
  // Webhook signatures are over the exact bytes: those routes get the raw body (and the JSON parser skips them).
  app.use(`/${GLOBAL_PREFIX}/payment/webhooks`, raw({ type: () => true, limit: JSON_BODY_LIMIT }));
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.use(cookieParser());
  // OpenAI's SDKs expect their routes at <baseURL>/audio/…, with baseURL `<server>/v1`: outside the prefix.
  app.setGlobalPrefix(GLOBAL_PREFIX, { exclude: [{ path: `${OPENAI_PREFIX}/{*path}`, method: RequestMethod.ALL }] });
  // Swagger registers its own Express routes, which must precede Nest's not-found handler added by init().
  setupOpenApi(app);
  serveWebApp(app, deps.env.WEB_APP_DIR ?? defaultWebAppDir());
  try {
    // Runs the start-up hooks (the bootstrap admin among them) once, before anything listens.
    await app.init();
  } catch (error) {
    await app.close();
    throw error;
  }
  const server = app.getHttpServer() as Server;
  // Graceful shutdown (lifecycle/): in-flight requests are followed so a drain can let them finish.
  app.get(ApiLifecycle).attach(server);
  // Outlive the usual 60 s proxy idle timeout, so the server never closes a kept-alive connection just as a
  // proxy (or client pool) reuses it, which the client sees as ECONNRESET. Headers must time out after it.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  return app;
}
