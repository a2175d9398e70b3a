/** Why a dubbing call rejected its input; every code is permanent (map to a non-retryable failure / HTTP 400). */
export type DubbingErrorCode = 'INVALID_ARGUMENT' | 'UNSUPPORTED_LANGUAGE_PAIR' | 'UNSUPPORTED_ACCENT';

/** Bad input to a dubbing function. */
export class DubbingError extends Error {
  constructor(
    readonly code: DubbingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DubbingError';
  }
}

/** A direction Apertium can run, in BCP-47 base codes, plus the Apertium mode that runs it. */
export interface TranslationPair {
  readonly source: string;
  readonly target: string;
  /** Apertium mode name (`apertium <mode>`), e.g. `eng-spa`. */
  readonly mode: string;
}

/** No installed Apertium mode translates `source` → `target`; the message lists what is installed. */
export class UnsupportedLanguagePairError extends DubbingError {
  constructor(
    readonly source: string,
    readonly target: string,
    readonly installedPairs: readonly TranslationPair[],
  ) {
    const listed = installedPairs.map((p) => `${p.source}→${p.target}`).join(', ');
    super(
      'UNSUPPORTED_LANGUAGE_PAIR',
      `No translation from "${source}" to "${target}" is installed; installed pairs: ${listed || 'none'}`,
    );
    this.name = 'UnsupportedLanguagePairError';
  }
}

/** The accent has no voice on this platform; the message lists the supported accents. */
export class UnsupportedAccentError extends DubbingError {
  constructor(
    readonly accent: string,
    readonly supported: readonly string[],
  ) {
    super('UNSUPPORTED_ACCENT', `Unknown accent "${accent}"; supported accents: ${supported.join(', ')}`);
    this.name = 'UnsupportedAccentError';
  }
}

/**
 * Apertium is not installed (`missing`, an operator problem: the message names the apt packages), exceeded its
 * time limit (`timeout`), or exited with an error (`failed`). Not a bad request, so callers let it retry.
 */
export class TranslationEngineError extends Error {
  readonly code = 'TRANSLATION_ENGINE_ERROR' as const;
  constructor(
    readonly reason: 'missing' | 'timeout' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'TranslationEngineError';
  }
}
