// Content and transfer decoders (libcurl's lib/content_encoding.c): one
// decoder per coding, each taking compressed bytes as they arrive and
// handing decoded bytes on at once (synchronous streaming, DESIGN.md §7.5).
// None throws: a failure is a CURLcode with libcurl's message. Known codings:
//
//   identity / none   pass through
//   deflate           zlib stream; like libcurl, a server that sends raw
//                     deflate without the zlib header is tolerated (fallback
//                     before any output, with up to 4 unknown trailer bytes)
//   gzip / x-gzip     gzip member (header parsed here, CRC32 and length
//                     checked as zlib does); a zlib stream is accepted too,
//                     as zlib's auto-detection in libcurl does; data after
//                     the member is CURLE_WRITE_ERROR (libcurl 8 refuses
//                     multi-member gzip)
//   br                brotli
//   anything else     CURLE_BAD_CONTENT_ENCODING on the first body byte
//                     ("Unrecognized content encoding type"), as libcurl
//                     defers that error until there is data to decode
//
//   zstd              Zstandard frames (one or more) through fzstd, a small
//                     pure-JS streaming decoder: Node 20's zlib has no zstd
//
// A paused client (CURL_WRITEFUNC_PAUSE) stops a decoder at once: what it
// has not decoded yet stays compressed (Resumable keeps it) and the next
// write, an empty one on unpause, goes on from there. Decoding on while
// paused would hold everything decoded in memory, and one network read of a
// few hundred KiB of gzip can decode to gigabytes.
import * as zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { CURLE, easyStrerror, type CURLcode } from '../codes.js';
import { SyncEngine, syncZlibAvailable, type EngineError } from './zlib-sync.js';
import { PAUSED } from './client-write.js';

export interface DecodeOutcome {
  /** CURLE_OK, an error, or PAUSED: the client paused and the decoder stopped */
  code: CURLcode | typeof PAUSED;
  /** libcurl's failf() text when the decoder itself failed */
  message?: string;
  /** with PAUSED: the input not decoded yet (may be a view of the caller's memory) */
  pending?: Buffer;
}

/** Where a decoder's output goes; a non-zero CURLcode (or PAUSED) stops the decoder. */
export type Emit = (out: Buffer) => CURLcode | typeof PAUSED;

export interface Decoder {
  readonly name: string;
  write(input: Buffer, emit: Emit): DecodeOutcome;
  close(): void;
}

const OK: DecodeOutcome = { code: CURLE.OK };
const EMPTY = Buffer.alloc(0);

/** A stop for the client's pause, with the input left over (nothing when `pending` is omitted). */
function paused(pending: Buffer = EMPTY): DecodeOutcome {
  return { code: PAUSED, pending };
}

/**
 * Keeps a paused decoder's undecoded input (copied: it may be a view of
 * receive memory reused later) and puts it before the next write's.
 */
export class Resumable implements Decoder {
  readonly #inner: Decoder;
  #pending: Buffer | null = null;

  constructor(inner: Decoder) {
    this.#inner = inner;
  }

  get name(): string {
    return this.#inner.name;
  }

  /** Stopped for a pause: a write (an empty one will do) must follow to go on. */
  get paused(): boolean {
    return this.#pending !== null;
  }

  write(input: Buffer, emit: Emit): DecodeOutcome {
    const p = this.#pending;
    if (p !== null) {
      this.#pending = null;
      input = input.length === 0 ? p : Buffer.concat([p, input]);
    }
    const r = this.#inner.write(input, emit);
    if (r.code !== PAUSED) return r;
    this.#pending = Buffer.from(r.pending ?? EMPTY);
    return { code: PAUSED };
  }

  close(): void {
    this.#pending = null;
    this.#inner.close();
  }
}

/**
 * node:zlib can be driven synchronously on this Node (checked on first need,
 * not at load: the CLI's plain GET never loads node:zlib; without it nothing
 * is advertised or decoded).
 */
let zlibOk: boolean | undefined;
function zlibUsable(): boolean {
  return (zlibOk ??= syncZlibAvailable());
}

/** The encodings this build decodes, in libcurl's order (Curl_all_content_encodings). */
export function supportedEncodings(): readonly string[] {
  return zlibUsable() ? ['deflate', 'gzip', 'br', 'zstd'] : ['zstd'];
}

/** What CURLOPT_ACCEPT_ENCODING "" turns into. */
export function allContentEncodings(): string {
  const all = supportedEncodings();
  return all.length > 0 ? all.join(', ') : 'identity';
}

function zlibFailure(e: EngineError): DecodeOutcome {
  return { code: CURLE.BAD_CONTENT_ENCODING, message: `Error while processing content unencoding: ${e.message}` };
}

interface Pumped {
  /** what downstream answered last: OK, an error, or PAUSED */
  down: CURLcode | typeof PAUSED;
  error?: EngineError;
  ended: boolean;
  leftover: number;
  /** downstream stopped it: the input not consumed */
  pending?: Buffer;
}

/** Run an engine, forwarding its output; stops at the first downstream failure or pause. */
function pump(engine: SyncEngine, input: Buffer, emit: Emit): Pumped {
  let down: CURLcode | typeof PAUSED = CURLE.OK;
  const r = engine.push(input, (out) => {
    down = emit(out);
    return down === CURLE.OK;
  });
  const pumped: Pumped = { down, ended: r.ended, leftover: r.leftover };
  if (r.error) pumped.error = r.error;
  if (r.stopped !== undefined) pumped.pending = input.subarray(input.length - r.stopped);
  return pumped;
}

/** The outcome for a stopped pump (a downstream error or pause), or null when it ran. */
function stoppedBy(r: Pumped): DecodeOutcome | null {
  if (r.down === PAUSED) return paused(r.pending);
  if (r.down !== CURLE.OK) return { code: r.down };
  return null;
}

class IdentityDecoder implements Decoder {
  readonly name = 'identity';
  write(input: Buffer, emit: Emit): DecodeOutcome {
    const c = emit(input);
    // a pause holds the whole piece downstream: nothing is left here
    return c === CURLE.OK ? OK : c === PAUSED ? paused() : { code: c };
  }
  close(): void {}
}

/** An unknown coding: the error waits for the first body byte. */
class ErrorDecoder implements Decoder {
  readonly name = 'error';
  write(input: Buffer): DecodeOutcome {
    if (input.length === 0) return OK;
    return {
      code: CURLE.BAD_CONTENT_ENCODING,
      message: `Unrecognized content encoding type. libcurl understands ${allContentEncodings()} content encodings.`,
    };
  }
  close(): void {}
}

/** Data after the end of a compressed stream (libcurl's process_trailer / ended-stream checks). */
const AFTER_END: DecodeOutcome = { code: CURLE.WRITE_ERROR, message: easyStrerror(CURLE.WRITE_ERROR) };

class DeflateDecoder implements Decoder {
  readonly name = 'deflate';
  #engine: SyncEngine | null = new SyncEngine('inflate');
  /** input kept until the first output, to restart as raw deflate (libcurl's ZLIB_INIT state) */
  #early: Buffer[] | null = [];
  #earlyBytes = 0;
  #raw = false;
  /** raw deflate has no trailer; libcurl tolerates up to 4 unknown bytes after it */
  #trailerLeft = 0;
  #done = false;

  write(input: Buffer, emit: Emit): DecodeOutcome {
    if (this.#done) return this.#trailer(input);
    const engine = this.#engine!;
    if (this.#early) {
      // copied: `input` may be a view of receive memory reused after this call
      this.#early.push(Buffer.from(input));
      this.#earlyBytes += input.length;
    }
    let produced = false;
    const r = pump(engine, input, (out) => {
      produced = true;
      return emit(out);
    });
    if (produced || this.#earlyBytes > 64 * 1024) this.#early = null; // output started: no restart anymore
    const stop = stoppedBy(r);
    if (stop) return stop;
    if (r.error) {
      if (!this.#raw && this.#early && r.error.code === 'Z_DATA_ERROR') {
        // "some servers seem to not generate zlib headers": try raw deflate on everything so far
        const all = Buffer.concat(this.#early);
        this.#early = null;
        this.#raw = true;
        this.#trailerLeft = 4;
        this.#engine = new SyncEngine('inflate-raw');
        return this.#afterPump(pump(this.#engine, all, emit), all);
      }
      return zlibFailure(r.error);
    }
    return this.#afterPump(r, input);
  }

  #afterPump(r: Pumped, input: Buffer): DecodeOutcome {
    const stop = stoppedBy(r);
    if (stop) return stop;
    if (r.error) return zlibFailure(r.error);
    if (!r.ended) return OK;
    this.#done = true;
    this.#early = null;
    return this.#trailer(input.subarray(input.length - r.leftover));
  }

  #trailer(rest: Buffer): DecodeOutcome {
    const take = Math.min(rest.length, this.#trailerLeft);
    this.#trailerLeft -= take;
    return rest.length > take ? AFTER_END : OK;
  }

  close(): void {
    this.#engine?.close();
    this.#engine = null;
  }
}

const GZ_FHCRC = 0x02;
const GZ_FEXTRA = 0x04;
const GZ_FNAME = 0x08;
const GZ_FCOMMENT = 0x10;
const GZ_RESERVED = 0xe0;

/** Parse a gzip member header (RFC 1952); 'more' when bytes are still missing. */
function parseGzipHeader(b: Buffer): { kind: 'more' } | { kind: 'error'; message: string } | { kind: 'ok'; length: number } {
  if (b.length < 10) return b.length >= 3 && b[2] !== 8 ? { kind: 'error', message: 'unknown compression method' } : { kind: 'more' };
  if (b[2] !== 8) return { kind: 'error', message: 'unknown compression method' };
  const flags = b[3]!;
  if (flags & GZ_RESERVED) return { kind: 'error', message: 'unknown header flags set' };
  let p = 10;
  if (flags & GZ_FEXTRA) {
    if (b.length < p + 2) return { kind: 'more' };
    p += 2 + b.readUInt16LE(p);
  }
  for (const bit of [GZ_FNAME, GZ_FCOMMENT]) {
    if (!(flags & bit)) continue;
    const nul = p < b.length ? b.indexOf(0, p) : -1;
    if (nul < 0) return { kind: 'more' };
    p = nul + 1;
  }
  if (flags & GZ_FHCRC) {
    if (b.length < p + 2) return { kind: 'more' };
    if ((crc32(b.subarray(0, p)) & 0xffff) !== b.readUInt16LE(p)) return { kind: 'error', message: 'header crc mismatch' };
    p += 2;
  }
  if (b.length < p) return { kind: 'more' };
  return { kind: 'ok', length: p };
}

/** Longest gzip header we buffer (FEXTRA up to 64 KiB, names and comments bounded here). */
const MAX_GZIP_HEADER = 256 * 1024;

class GzipDecoder implements Decoder {
  readonly name = 'gzip';
  #state: 'magic' | 'header' | 'body' | 'trailer' | 'done' | 'zlib' = 'magic';
  #buf: Buffer = Buffer.alloc(0);
  #engine: SyncEngine | null = null;
  #crc = 0;
  #size = 0;

  write(input: Buffer, emit: Emit): DecodeOutcome {
    switch (this.#state) {
      case 'magic':
      case 'header':
        return this.#header(input, emit);
      case 'body':
        return this.#body(input, emit);
      case 'trailer':
        return this.#trailer(input);
      case 'zlib': {
        const r = pump(this.#engine!, input, emit);
        const stop = stoppedBy(r);
        if (stop) return stop;
        if (r.error) return zlibFailure(r.error);
        return r.ended && r.leftover > 0 ? AFTER_END : OK;
      }
      case 'done':
        return input.length > 0 ? this.#multiMember() : OK;
    }
  }

  #multiMember(): DecodeOutcome {
    return { code: CURLE.WRITE_ERROR, message: 'Multi-member gzip response not supported' };
  }

  #header(input: Buffer, emit: Emit): DecodeOutcome {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, input]) : input;
    const b = this.#buf;
    if (this.#state === 'magic') {
      if (b.length === 0 || (b[0] === 0x1f && b.length < 2)) {
        if (b === input) this.#buf = Buffer.from(input); // kept past this call
        return OK;
      }
      if (b[0] !== 0x1f || b[1] !== 0x8b) {
        // not gzip: zlib's auto-detection reads it as a zlib stream
        this.#state = 'zlib';
        this.#engine = new SyncEngine('inflate');
        this.#buf = Buffer.alloc(0);
        return this.write(b, emit);
      }
      this.#state = 'header';
    }
    const h = parseGzipHeader(b);
    if (h.kind === 'error') return { code: CURLE.BAD_CONTENT_ENCODING, message: `Error while processing content unencoding: ${h.message}` };
    if (h.kind === 'more') {
      if (b.length > MAX_GZIP_HEADER) return { code: CURLE.BAD_CONTENT_ENCODING, message: 'Error while processing content unencoding: header too long' };
      if (b === input) this.#buf = Buffer.from(input); // kept past this call: not a view of receive memory
      return OK;
    }
    this.#state = 'body';
    this.#engine = new SyncEngine('inflate-raw');
    this.#buf = Buffer.alloc(0);
    return h.length < b.length ? this.#body(b.subarray(h.length), emit) : OK;
  }

  #body(input: Buffer, emit: Emit): DecodeOutcome {
    const r = pump(this.#engine!, input, (out) => {
      this.#crc = crc32(out, this.#crc);
      this.#size = (this.#size + out.length) >>> 0;
      return emit(out);
    });
    const stop = stoppedBy(r);
    if (stop) return stop;
    if (r.error) return zlibFailure(r.error);
    if (!r.ended) return OK;
    this.#state = 'trailer';
    return r.leftover > 0 ? this.#trailer(input.subarray(input.length - r.leftover)) : OK;
  }

  #trailer(input: Buffer): DecodeOutcome {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, input]) : input;
    const b = this.#buf;
    if (b.length < 8) {
      if (b === input) this.#buf = Buffer.from(input); // kept past this call
      return OK;
    }
    if (b.readUInt32LE(0) !== this.#crc >>> 0) return { code: CURLE.BAD_CONTENT_ENCODING, message: 'Error while processing content unencoding: incorrect data check' };
    if (b.readUInt32LE(4) !== this.#size) return { code: CURLE.BAD_CONTENT_ENCODING, message: 'Error while processing content unencoding: incorrect length check' };
    this.#state = 'done';
    this.#buf = Buffer.alloc(0);
    return b.length > 8 ? this.#multiMember() : OK;
  }

  close(): void {
    this.#engine?.close();
    this.#engine = null;
  }
}

class BrotliDecoder implements Decoder {
  readonly name = 'br';
  #engine = new SyncEngine('brotli');

  write(input: Buffer, emit: Emit): DecodeOutcome {
    if (this.#engine.ended) return input.length > 0 ? AFTER_END : OK;
    const r = pump(this.#engine, input, emit);
    const stop = stoppedBy(r);
    if (stop) return stop;
    if (r.error) {
      // libcurl's brotli_map_error: format and usage errors are bad content, allocation is memory
      if (r.error.code.includes('ALLOC')) return { code: CURLE.OUT_OF_MEMORY };
      return { code: CURLE.BAD_CONTENT_ENCODING, message: easyStrerror(CURLE.BAD_CONTENT_ENCODING) };
    }
    return r.ended && r.leftover > 0 ? AFTER_END : OK;
  }

  close(): void {
    this.#engine.close();
  }
}

/** fzstd's streaming decompressor, loaded on the first zstd response (a plain GET never pays for it). */
type ZstdStream = { push(chunk: Uint8Array, final?: boolean): void; ondata: (data: Uint8Array, final?: boolean) => unknown };
let zstdModule: { Decompress: new () => ZstdStream } | undefined;
function newZstdStream(): ZstdStream {
  zstdModule ??= createRequire(import.meta.url)('fzstd') as { Decompress: new () => ZstdStream };
  return new zstdModule.Decompress();
}

/** Pieces handed downstream, as the zlib engines do. */
const ZSTD_OUT_CHUNK = 16 * 1024;
/**
 * Input fed to fzstd per push. fzstd decodes every whole block a push
 * completes and cannot stop inside one, and a block of 4 bytes can stand
 * for 128 KiB (an RLE block): a pause takes effect between pushes, so what
 * one push decodes after the pause is held (`#overflow`). 256 bytes of
 * input bound that to ~8 MiB; fzstd gathers the slices of an unfinished
 * block in a list and joins them once, so small slices cost little.
 */
const ZSTD_IN_SLICE = 256;

class ZstdDecoder implements Decoder {
  readonly name = 'zstd';
  #stream: ZstdStream | null = newZstdStream();
  #down: CURLcode | typeof PAUSED = CURLE.OK;
  #emit: Emit | null = null;
  /** output decoded after downstream paused, in the push that was running */
  #overflow: Buffer[] = [];

  constructor() {
    this.#stream!.ondata = (data) => {
      if (!this.#emit || (this.#down !== CURLE.OK && this.#down !== PAUSED)) return;
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      for (let i = 0; i < buf.length; i += ZSTD_OUT_CHUNK) {
        const piece = buf.subarray(i, i + ZSTD_OUT_CHUNK);
        if (this.#down === PAUSED) this.#overflow.push(Buffer.from(piece));
        else if ((this.#down = this.#emit(piece)) !== CURLE.OK && this.#down !== PAUSED) return;
      }
    };
  }

  /** the first four bytes, until checked: fzstd waits for a whole frame header before it judges the magic */
  #magic: Buffer | null = Buffer.alloc(0);

  write(input: Buffer, emit: Emit): DecodeOutcome {
    if (!this.#stream) return { code: CURLE.BAD_CONTENT_ENCODING, message: easyStrerror(CURLE.BAD_CONTENT_ENCODING) };
    // after a pause: first what the last push decoded past it
    this.#down = CURLE.OK;
    while (this.#overflow.length > 0) {
      const c = emit(this.#overflow[0]!);
      if (c === PAUSED) {
        // writeBody held that piece
        this.#overflow.shift();
        return paused(input);
      }
      this.#overflow.shift();
      if (c !== CURLE.OK) return { code: c };
    }
    if (this.#magic && input.length > 0) {
      this.#magic = Buffer.concat([this.#magic, input.subarray(0, 4 - this.#magic.length)]);
      if (this.#magic.length === 4) {
        const m = this.#magic.readUInt32LE(0);
        // a zstd frame, or a skippable frame (0x184D2A50..5F), as ZSTD_decompressStream checks at once
        if (m !== 0xfd2fb528 && (m & 0xfffffff0) !== 0x184d2a50) {
          this.#stream = null;
          return { code: CURLE.BAD_CONTENT_ENCODING, message: easyStrerror(CURLE.BAD_CONTENT_ENCODING) };
        }
        this.#magic = null;
      }
    }
    this.#emit = emit;
    try {
      for (let off = 0; off < input.length; off += ZSTD_IN_SLICE) {
        // fzstd may keep input of an unfinished block, and `input` can be a view of reused receive memory
        this.#stream.push(Uint8Array.prototype.slice.call(input, off, off + ZSTD_IN_SLICE));
        if (this.#down === PAUSED) return paused(input.subarray(off + ZSTD_IN_SLICE));
        if (this.#down !== CURLE.OK) return { code: this.#down };
      }
    } catch {
      // libcurl's zstd writer maps every decoder error to CURLE_BAD_CONTENT_ENCODING
      this.#stream = null;
      return { code: CURLE.BAD_CONTENT_ENCODING, message: easyStrerror(CURLE.BAD_CONTENT_ENCODING) };
    } finally {
      this.#emit = null;
    }
    return OK;
  }

  close(): void {
    this.#stream = null;
    this.#overflow = [];
  }
}

let factories: Readonly<Record<string, () => Decoder>> | null = null;

/** The decoders by coding name (made on first use, see zlibUsable()). */
function factoryTable(): Readonly<Record<string, () => Decoder>> {
  return (factories ??= {
    identity: () => new IdentityDecoder(),
    none: () => new IdentityDecoder(),
    zstd: () => new ZstdDecoder(),
    ...(zlibUsable() ? {
      deflate: () => new DeflateDecoder(),
      gzip: () => new GzipDecoder(),
      'x-gzip': () => new GzipDecoder(),
      br: () => new BrotliDecoder(),
    } : {}),
  });
}

/** The decoder for a coding name (case-insensitive); unknown names get the deferred-error decoder. */
export function decoderFor(name: string): Resumable {
  const f = factoryTable()[name.toLowerCase()];
  return new Resumable(f ? f() : new ErrorDecoder());
}

/** Is this a coding we decode (so the name is "known" to the stack)? */
export function isKnownCoding(name: string): boolean {
  return Object.hasOwn(factoryTable(), name.toLowerCase());
}

// ---- CRC-32 (gzip trailer) --------------------------------------------------

let table: Uint32Array | null = null;
function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

type Crc32 = (data: Buffer, value?: number) => number;
// looked up on first use: reading it at load time would load node:zlib in
// every CLI run, compressed or not
let nativeCrc: Crc32 | null | undefined;

/** CRC-32 as gzip uses it; node:zlib's when this Node has it. */
export function crc32(data: Buffer, prev = 0): number {
  nativeCrc ??= (zlib as unknown as { crc32?: Crc32 }).crc32 ?? null;
  if (nativeCrc) return nativeCrc(data, prev) >>> 0;
  const t = crcTable();
  let c = (prev ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
