import { HttpStatus } from '@nestjs/common';
import type { AudioValidationError } from '@voice/audio';
import { DomainError } from '../common/domain-error';

/** The 4xx for an upload that is not usable audio: empty or too many channels 400, not audio 415, broken 422. */
export function invalidAudio(error: AudioValidationError): DomainError<'INVALID_AUDIO'> {
  const status =
    error.reason === 'empty' || error.reason === 'too_many_channels'
      ? HttpStatus.BAD_REQUEST
      : error.reason === 'not_audio' || error.reason === 'unsupported_format'
        ? HttpStatus.UNSUPPORTED_MEDIA_TYPE
        : HttpStatus.UNPROCESSABLE_ENTITY;
  return new DomainError('INVALID_AUDIO', status, error.message, {
    details: { reason: error.reason, accepted: ['wav', 'mp3', 'flac', 'm4a', 'ogg'] },
  });
}
