import { existsSync } from 'node:fs';
import * as path from 'node:path';

import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Vite content-hashes everything under assets/: a changed file gets a new name, so browsers may keep it forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html, the service worker and the manifest name the current hashes: always revalidate them. */
const REVALIDATE = 'no-cache';

/** apps/web/dist of this checkout, from apps/api/dist/src/web. */
export function defaultWebAppDir(): string {
  return path.resolve(__dirname, '..', '..', '..', '..', 'web', 'dist');
}

function isApiPath(urlPath: string): boolean {
  // /v1 is the OpenAI-compatible API: its 404s are JSON too, never the app's index.html.
  return urlPath === '/api' || urlPath.startsWith('/api/') || urlPath === '/v1' || urlPath.startsWith('/v1/');
}

/**
 * Serves the built web app at `/`: its files, and index.html for any other GET outside `/api` without a file
 * extension, so deep links such as `/jobs/<id>` open the app. `/api/*` is never shadowed: those requests pass
 * through to Nest (and its JSON 404). Registered before `app.init()`, ahead of Nest's not-found handler.
 */
export function serveWebApp(app: NestExpressApplication, webAppDir: string): void {
  const indexHtml = path.join(webAppDir, 'index.html');
  const built = existsSync(indexHtml);
  if (built) {
    app.useStaticAssets(webAppDir, {
      index: false,
      redirect: false,
      setHeaders: (response, filePath) => {
        const relative = path.relative(webAppDir, filePath);
        response.setHeader('Cache-Control', relative.startsWith(`assets${path.sep}`) ? IMMUTABLE : REVALIDATE);
      },
    });
  }
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || isApiPath(request.path)) return next();
    // A missing file (an old hashed asset, a typo) is a plain 404, not the app's HTML under a script's URL.
    if (path.extname(request.path) !== '') return next();
    if (!built) {
      response
        .status(503)
        .type('text/plain')
        .send(`The web app is not built (no ${indexHtml}). Run \`npm run build\`, then reload.\n`);
      return;
    }
    response.setHeader('Cache-Control', REVALIDATE);
    response.sendFile(indexHtml);
  });
}
