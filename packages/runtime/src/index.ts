export * from './from-env';
export * from './logging';
export * from './secrets';
export * from './temporal-setup';
export * from './ports';
export * from './secret-box';
export * from './log-context-interceptors';
export * from './tracing';
