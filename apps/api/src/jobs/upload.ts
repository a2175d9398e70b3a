import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { MulterModuleOptions } from '@nestjs/platform-express';
import type { Env } from '@voice/config';
import { bufferedDiskStorage } from './buffered-disk-storage';

/** The multipart field carrying the audio, as in the seed contract. */
export const AUDIO_FIELD = 'audio_file';

/** Up to this much of an upload is held in memory and written at once; the rest streams to disk. */
const UPLOAD_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Uploads land in files under DATA_DIR/uploads (at most UPLOAD_BUFFER_BYTES of each in memory on the way) and
 * are deleted after validation; multer enforces the size cap while streaming, which Nest turns into a 413.
 */
export function multerOptions(env: Env): MulterModuleOptions {
  const destination = path.join(env.DATA_DIR, 'uploads');
  mkdirSync(destination, { recursive: true });
  return {
    storage: bufferedDiskStorage({ destination, bufferBytes: UPLOAD_BUFFER_BYTES }),
    limits: { fileSize: env.MAX_UPLOAD_BYTES, files: 1, fields: 20, fieldSize: 64 * 1024 },
  };
}
