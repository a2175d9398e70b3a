import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { MulterModuleOptions } from '@nestjs/platform-express';
import type { Env } from '@voice/config';
import { diskStorage } from 'multer';

/** The multipart field carrying the audio, as in the seed contract. */
export const AUDIO_FIELD = 'audio_file';

/**
 * Uploads stream to disk (never into memory) under DATA_DIR/uploads and are deleted after validation;
 * multer enforces the size cap while streaming, which Nest turns into a 413.
 */
export function multerOptions(env: Env): MulterModuleOptions {
  const destination = path.join(env.DATA_DIR, 'uploads');
  mkdirSync(destination, { recursive: true });
  return {
    storage: diskStorage({ destination }),
    limits: { fileSize: env.MAX_UPLOAD_BYTES, files: 1, fields: 20, fieldSize: 64 * 1024 },
  };
}
