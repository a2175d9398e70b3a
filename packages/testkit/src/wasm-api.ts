// The compiler's lib here is ES2023 without DOM, and @types/node 20 does not declare the WebAssembly
// global; a tiny typed view of the part we use avoids pulling in DOM typings or an ambient global
// that would clash once @types/node ships its own.
declare const moduleBrand: unique symbol;

/** A compiled wasm module (opaque). */
export interface WasmModule {
  readonly [moduleBrand]: true;
}

/** An instantiated wasm module. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports?: object): Promise<WasmInstance>;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
