export * from './catalog';
export * from './install';
export * from './manifest';
export { DEFAULT_MODELS_DIR } from './paths';
export * from './pull';
export * from './registry';
export { sha256File } from './hash';
