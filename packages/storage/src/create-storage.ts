import { LocalStorage, type LocalStorageOptions } from './local-storage';
import { S3Storage, type S3StorageOptions } from './s3-storage';

export type LocalStorageConfig = { driver: 'local' } & LocalStorageOptions;
export type S3StorageConfig = { driver: 's3' } & S3StorageOptions;
/** Storage settings, discriminated by `driver`. */
export type StorageConfig = LocalStorageConfig | S3StorageConfig;

/**
 * Builds the configured driver. Both results implement `BlobStorage` and `close()`; for S3, call `ensureBucket()`
 * once at startup if the bucket may not exist yet.
 */
export function createStorage(config: LocalStorageConfig): LocalStorage;
export function createStorage(config: S3StorageConfig): S3Storage;
export function createStorage(config: StorageConfig): LocalStorage | S3Storage;
export function createStorage(config: StorageConfig): LocalStorage | S3Storage {
  switch (config.driver) {
    case 'local':
      return new LocalStorage(config);
    case 's3':
      return new S3Storage(config);
    default: {
      // Exhaustiveness check; the message names only the driver because the config holds secrets.
      const unknown: never = config;
      throw new Error(`Unknown storage driver: ${String((unknown as { driver?: unknown }).driver)}`);
    }
  }
}
