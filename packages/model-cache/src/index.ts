export { ModelSessionCache } from './model-cache';
export { Wasm, type WasmInstance, type WasmMemory, type WasmModule } from './wasm-api';
