// A synchronous, streaming view of a node:zlib engine (DESIGN.md §7.5).
//
// node:zlib offers streams (asynchronous: output arrives on a later tick,
// which would reorder body data against the transfer's state) and one-shot
// *Sync functions (which close the engine after one buffer). libcurl feeds
// its decoder one network read at a time and writes what comes out at once.
// To do the same we drive the engine's native handle directly, exactly as
// node's own zlibBufferSync()/processChunkSync() do: handle.writeSync() runs
// inflate()/BrotliDecoderDecompressStream() on the calling thread and leaves
// (availOut, availIn) in engine._writeState. Errors reach handle.onerror
// synchronously; we take that hook over so an error is a value, never an
// exception or an 'error' event.
//
// Stream end is seen the way zlib reports it: an engine that stopped
// consuming input while it still had output room has finished its stream
// (zlib and brotli leave bytes past the end of the stream unread).
import * as zlib from 'node:zlib';

/** Output piece size (libcurl's DSIZ is 16 KiB as well). */
const OUT_CHUNK = 16 * 1024;

interface NativeHandle {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
  close(): void;
  onerror: (message: string, errno: number, code: string) => void;
}
interface EngineInternals {
  _handle: NativeHandle | null;
  _writeState: Uint32Array;
}

export type EngineKind = 'inflate' | 'inflate-raw' | 'brotli';

export interface EngineError {
  message: string;
  code: string;
}

export interface PushResult {
  /** the engine failed (it is closed now) */
  error?: EngineError;
  /** the compressed stream ended inside this input */
  ended: boolean;
  /** input bytes after the end of the stream (0 unless ended) */
  leftover: number;
  /**
   * `emit` stopped the work: the input bytes not consumed yet (the engine
   * may also hold output; pushing them, or an empty Buffer, goes on)
   */
  stopped?: number;
}

/** Can this Node drive zlib engines synchronously? (the internals we rely on exist) */
export function syncZlibAvailable(): boolean {
  try {
    const e = new zlib.Inflate() as unknown as EngineInternals;
    const ok = typeof e._handle?.writeSync === 'function' && e._writeState instanceof Uint32Array;
    e._handle?.close();
    return ok;
  } catch {
    return false;
  }
}

export class SyncEngine {
  #engine: EngineInternals;
  #handle: NativeHandle | null;
  readonly #flush: number;
  #error: EngineError | null = null;
  #ended = false;

  constructor(kind: EngineKind) {
    const e = kind === 'inflate' ? new zlib.Inflate() : kind === 'inflate-raw' ? new zlib.InflateRaw() : new zlib.BrotliDecompress();
    this.#engine = e as unknown as EngineInternals;
    this.#handle = this.#engine._handle;
    // Z_BLOCK as libcurl uses it: inflate() returns at each block end, so output
    // already made counts as "started" before an error later in the same input
    this.#flush = kind === 'brotli' ? zlib.constants.BROTLI_OPERATION_PROCESS : zlib.constants.Z_BLOCK;
    if (this.#handle) {
      this.#handle.onerror = (message, _errno, code) => {
        this.#error = { message, code };
      };
    }
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Decompress `input`, handing each output piece to `emit` as it is made
   * (memory stays bounded by one piece, however large the expansion).
   * `emit` returning false stops the work (the caller failed downstream, or
   * paused: `stopped` then says how much input is left for a later push).
   */
  push(input: Buffer, emit: (out: Buffer) => boolean): PushResult {
    const h = this.#handle;
    if (this.#ended) return { ended: true, leftover: input.length };
    if (!h) return { error: { message: 'decompressor closed', code: 'ERR_CLOSED' }, ended: false, leftover: 0 };
    const state = this.#engine._writeState;
    let inOff = 0;
    let inLeft = input.length;
    // bounded: every pass either makes progress or returns
    for (;;) {
      const out = Buffer.allocUnsafe(OUT_CHUNK);
      h.writeSync(this.#flush, input, inOff, inLeft, out, 0, OUT_CHUNK);
      if (this.#error) {
        this.close();
        return { error: this.#error, ended: false, leftover: 0 };
      }
      const availOut = state[0]!;
      const availIn = state[1]!;
      const consumed = inLeft - availIn;
      inOff += consumed;
      inLeft = availIn;
      const have = OUT_CHUNK - availOut;
      if (have > 0 && !emit(out.subarray(0, have))) return { ended: false, leftover: 0, stopped: inLeft };
      if (availOut === 0) continue; // output room ran out: there may be more
      if (inLeft === 0) return { ended: false, leftover: 0 };
      if (consumed === 0 && have === 0) {
        // input left, room left, no progress: the stream is over (when all
        // input was taken exactly at its end, the next push finds it unread)
        this.#ended = true;
        this.close();
        return { ended: true, leftover: inLeft };
      }
      // stopped at a deflate block boundary (Z_BLOCK): go on
    }
  }

  /** Free the native engine (idempotent). */
  close(): void {
    const h = this.#handle;
    this.#handle = null;
    this.#engine._handle = null;
    if (h) {
      try {
        h.close();
      } catch {
        // already closed by node after an error
      }
    }
  }
}
