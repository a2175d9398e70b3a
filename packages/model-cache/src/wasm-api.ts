// tsconfig.base's lib is ES2023 without DOM, and @types/node 20 does not declare the WebAssembly
// global; this typed view of the part we use avoids DOM typings or an ambient global that would
// clash once @types/node ships its own.
declare const moduleBrand: unique symbol;

/** A compiled wasm module (opaque). */
export interface WasmModule {
  readonly [moduleBrand]: true;
}

/** An instantiated wasm module. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** Linear memory of an instance. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports?: object): Promise<WasmInstance>;
  validate(bytes: Uint8Array): boolean;
  readonly Memory: abstract new (...args: never[]) => WasmMemory;
  readonly RuntimeError: new (message?: string) => Error;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
