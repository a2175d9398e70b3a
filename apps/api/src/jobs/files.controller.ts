import { Controller, Get, HttpStatus, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { InvalidStorageKeyError, assertValidKey, verifyLocalSignedUrl, type BlobStorage } from '@voice/storage';
import { Public } from '../auth/decorators/public.decorator';
import { DomainError } from '../common/domain-error';
import { STORAGE, SIGNING_SECRET } from '../common/tokens';

/**
 * Serves signed links of the local storage driver (the S3 driver's links point at S3 itself).
 * Excluded from the OpenAPI document: clients only ever follow URLs the download endpoint hands out.
 */
@ApiExcludeController()
@Controller('files')
export class FilesController {
  constructor(
    @Inject(STORAGE) private readonly storage: BlobStorage | null,
    @Inject(SIGNING_SECRET) private readonly signingSecret: string,
  ) {}

  @Public()
  @Get(':key')
  async serve(
    @Param('key') key: string,
    @Query('expires') expires: string | undefined,
    @Query('sig') sig: string | undefined,
    @Query('filename') filename: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    if (!this.storage || this.storage.driver !== 'local') {
      throw new DomainError('NOT_FOUND', HttpStatus.NOT_FOUND, 'Not found');
    }
    // A key that is not a plain relative path (`..`, absolute) names nothing we store, whoever signed it: a bad
    // request, never a 500 from the storage driver's root check.
    try {
      assertValidKey(key);
    } catch (error) {
      if (!(error instanceof InvalidStorageKeyError)) throw error;
      throw new DomainError('INVALID_FILE_KEY', HttpStatus.BAD_REQUEST, 'Invalid download link: not a stored file key');
    }
    const verdict = verifyLocalSignedUrl(
      { key, expires: Number(expires), sig: sig ?? '', filename },
      this.signingSecret,
      new Date(),
    );
    if (!verdict.ok) {
      throw new DomainError(
        verdict.reason === 'expired' ? 'LINK_EXPIRED' : 'BAD_SIGNATURE',
        HttpStatus.FORBIDDEN,
        verdict.reason === 'expired' ? 'This download link has expired; request a new one' : 'Invalid download link',
      );
    }
    const size = await this.storage.size(key);
    if (size === undefined) throw new DomainError('NOT_FOUND', HttpStatus.NOT_FOUND, 'File not found');
    response.setHeader('Content-Type', contentTypeFor(key));
    response.setHeader('Content-Length', String(size));
    if (filename) response.attachment(filename);
    (await this.storage.getStream(key)).pipe(response);
  }
}

// Uploads keep their container (an input played back), outputs are WAV or JSON. A player decides from the type
// whether it can play the bytes, so an upload must not go out as application/octet-stream.
const CONTENT_TYPES: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  json: 'application/json',
  srt: 'application/x-subrip',
  vtt: 'text/vtt',
};

/** The local driver stores no metadata, so the type comes from the key's extension. */
function contentTypeFor(key: string): string {
  return CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}
