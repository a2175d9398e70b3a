import { readFile } from 'node:fs/promises';
import { Wasm, type WasmInstance, type WasmMemory, type WasmModule } from '@voice/model-cache';

// Compiling is the expensive step (tens of ms); instances are cheap. Cache the compile per file for the process.
const compiled = new Map<string, Promise<WasmModule>>();

/** Compiles a wasm file once per process; later calls share the same WebAssembly.Module. */
export function compileWasmOnce(file: string): Promise<WasmModule> {
  let module = compiled.get(file);
  if (!module) {
    module = readFile(file).then((bytes) => Wasm.compile(bytes));
    // A failed compile (missing file) must not poison the cache for a later, fixed install.
    module.catch(() => compiled.delete(file));
    compiled.set(file, module);
  }
  return module;
}

/**
 * Minimal stand-in for the Emscripten JS glue: only what these modules import.
 * Views are re-created from `memory.buffer` on every access because heap growth detaches old views.
 */
export class EmscriptenHeap {
  memory: WasmMemory | undefined;

  private get buffer(): ArrayBuffer {
    if (!this.memory) throw new Error('wasm memory is not bound yet');
    return this.memory.buffer;
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.buffer, ptr, length);
  }

  i16(ptr: number, length: number): Int16Array {
    return new Int16Array(this.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.buffer, ptr, length);
  }

  u8(): Uint8Array {
    return new Uint8Array(this.buffer);
  }

  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.buffer, ptr, length);
  }

  /** Emscripten's `emscripten_resize_heap`: grow linear memory to at least `requested` bytes (2 GiB cap). */
  readonly resizeHeap = (requested: number): number => {
    const memory = this.memory;
    if (!memory) return 0;
    const max = 2 ** 31;
    const wanted = requested >>> 0;
    if (wanted > max) return 0;
    const current = memory.buffer.byteLength;
    // Grow geometrically like Emscripten so repeated small mallocs do not grow page by page.
    const target = Math.min(max, Math.max(wanted, Math.ceil((current * 1.2) / 65536) * 65536));
    try {
      memory.grow(Math.ceil((target - current) / 65536));
      return 1;
    } catch {
      return 0;
    }
  };

  readonly assertFail = (): never => {
    throw new Wasm.RuntimeError('assertion failed inside denoiser wasm');
  };
}

/** Reads a wasm export as a function, failing loudly if the binary does not match the expected build. */
export function exportedFunction<F extends (...args: number[]) => number | void>(
  instance: WasmInstance,
  name: string,
): F {
  const value = instance.exports[name];
  if (typeof value !== 'function') throw new Error(`wasm export "${name}" is missing or not a function`);
  return value as F;
}

/** Reads the exported linear memory. */
export function exportedMemory(instance: WasmInstance, name: string): WasmMemory {
  const value = instance.exports[name];
  if (!(value instanceof Wasm.Memory)) throw new Error(`wasm export "${name}" is not a memory`);
  return value;
}
