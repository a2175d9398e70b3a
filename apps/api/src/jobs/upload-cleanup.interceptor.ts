import { rm } from 'node:fs/promises';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { finalize, type Observable } from 'rxjs';

/**
 * Deletes the temp upload once the request is over, whether the handler succeeded, a pipe rejected the
 * form fields, or validation failed: a rejected upload must leave nothing behind. Register it after
 * FileInterceptor so multer has already written the file.
 */
@Injectable()
export class UploadCleanupInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      finalize(() => {
        const file = request.file;
        if (file?.path) void rm(file.path, { force: true });
      }),
    );
  }
}
