/** A key that is not a safe relative POSIX path (`..`, absolute, backslash, control characters…). */
export class InvalidStorageKeyError extends Error {
  readonly code = 'invalid_storage_key' as const;

  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Invalid storage key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidStorageKeyError';
  }
}

/** The object does not exist (both drivers throw this, so callers need not know S3 error names). */
export class StorageObjectNotFoundError extends Error {
  readonly code = 'storage_object_not_found' as const;

  constructor(readonly key: string) {
    super(`Storage object not found: ${key}`);
    this.name = 'StorageObjectNotFoundError';
  }
}
