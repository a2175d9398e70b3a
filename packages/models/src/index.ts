export * from './manifest';
export * from './registry';
