import type { LogLevel } from '@nestjs/common';
import type { Env } from '@voice/config';

/** Nest's log levels enabled for the platform's LOG_LEVEL. */
export function nestLogLevels(level: Env['LOG_LEVEL']): LogLevel[] {
  switch (level) {
    case 'debug':
      return ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
    case 'info':
      return ['fatal', 'error', 'warn', 'log'];
    case 'warn':
      return ['fatal', 'error', 'warn'];
    case 'error':
      return ['fatal', 'error'];
  }
}
