export type { BlobStorage, SignedUrl, SignedUrlOptions } from './types';
export { InvalidStorageKeyError, StorageObjectNotFoundError } from './errors';
export { assertValidKey, assertValidPrefix, contentDisposition } from './keys';
export {
  LOCAL_FILES_ROUTE,
  LocalStorage,
  verifyLocalSignedUrl,
  type LocalSignedUrlParams,
  type LocalSignedUrlVerification,
  type LocalStorageOptions,
} from './local-storage';
export { S3Storage, type S3StorageOptions } from './s3-storage';
export { createStorage, type LocalStorageConfig, type S3StorageConfig, type StorageConfig } from './create-storage';
