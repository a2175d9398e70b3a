import type * as Jose from 'jose' with { 'resolution-mode': 'import' };

let loading: Promise<typeof Jose> | undefined;

/**
 * jose 6 ships only ES modules while this package compiles to CommonJS, so it is loaded with a real
 * dynamic import (TypeScript keeps `import()` as is under Node16 module resolution). Loaded once.
 */
export function loadJose(): Promise<typeof Jose> {
  loading ??= import('jose');
  return loading;
}
