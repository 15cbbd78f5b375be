// The client writer stack's end (libcurl's "client" writer, CURL_CW_CLIENT,
// with its pause buffer): delivering response headers and body to the
// application's HEADERFUNCTION / WRITEFUNCTION (or, when none is set, to the
// WRITEDATA/HEADERDATA file as libcurl's default fwrite does), with libcurl's return conventions:
// a count other than the one passed is CURLE_WRITE_ERROR, CURL_WRITEFUNC_PAUSE
// holds the data back until easy.pause() resumes the transfer.
//
// Every option it reads comes from the options' hot snapshot
// (OptionStore.hot()): no per-line or per-chunk option lookups.
import { CURLE, type CURLcode } from '../codes.js';
import { CURL_WRITEFUNC_PAUSE } from '../constants.js';
import type { HotOptions } from '../easy/option-store.js';
import type { WriteCallback, HeaderCallback } from '../easy/callbacks.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { CLIENTWRITE, PAUSED, type ClientWriterHost, type WriteResult } from './client-write.js';
import { CALLBACK_NAME, callbackThrew } from '../util/callback-failure.js';
import { defaultWrite } from '../easy/default-io.js';

// kept for importers that name the guard through the writers
export type { CallbackGuard } from '../util/callback-depth.js';

/**
 * WRITEFUNCTION, or libcurl's default when none is set: fwrite to the
 * userdata's FILE* (WRITEDATA or HEADERDATA; stdout when unset), see
 * src/easy/default-io.ts. Only body data may pause a full stream.
 */
function writeFunction(host: ClientWriterHost, h: HotOptions, mayPause = true): WriteCallback {
  return (h.writeFn as WriteCallback | null) ?? ((data, target) => defaultWrite(host, target, data, mayPause));
}

/** The guard of a closed writer: it runs nothing of an engine. */
const DETACHED: CallbackGuard = { inCallback: (fn) => fn(), call2: (fn, a, b) => fn(a, b) };

/** g.call2(fn, a, b), or through inCallback for a guard without it */
function call2<A, B, R>(g: CallbackGuard, fn: (a: A, b: B) => R, a: A, b: B): R {
  return g.call2 ? g.call2(fn, a, b) : g.inCallback(() => fn(a, b));
}

/** CURLPAUSE_RECV */
const PAUSE_RECV = 1;

export class ClientWriter {
  readonly #host: ClientWriterHost;
  #guard: CallbackGuard;
  /**
   * The pause buffer: body bytes a paused WRITEFUNCTION did not take, in
   * order (copies: what was written may be a view of memory reused later).
   */
  #held: Buffer[] = [];
  /**
   * easy.pause(CURLPAUSE_RECV) inside WRITEFUNCTION stopped delivery after a
   * whole piece, with nothing left to hold: the protocol stopped feeding all
   * the same, so unpausing must make it go on as after held bytes.
   */
  #stoppedEmpty = false;

  constructor(host: ClientWriterHost, guard: CallbackGuard) {
    this.#host = host;
    this.#guard = guard;
  }

  /** Body bytes are held for a paused application (or delivery stopped for one: unpause() must resume it). */
  get holding(): boolean {
    return this.#held.length > 0 || this.#stoppedEmpty;
  }

  /** How many body bytes are held. */
  get heldBytes(): number {
    let n = 0;
    for (const b of this.#held) n += b.length;
    return n;
  }

  /** The held pieces, oldest first (a view for the engine's pause check; never modified by callers). */
  get held(): readonly Buffer[] {
    return this.#held;
  }

  /** The transfer is over: drop what is held, and the guard (the engine). */
  close(): void {
    if (this.#held.length > 0) this.#held = [];
    this.#stoppedEmpty = false;
    this.#guard = DETACHED;
  }

  /**
   * Decoded body bytes to WRITEFUNCTION (counting and MAXFILESIZE happen
   * before content decoding, in the stack), in pieces of at most
   * CURL_MAX_WRITE_SIZE (or BUFFERSIZE when smaller), as libcurl's
   * chop_write does. A pause holds the paused piece and everything after it.
   */
  body(data: Buffer): WriteResult {
    const t = this.#host;
    if (t.pauseBits & PAUSE_RECV) {
      this.#held.push(Buffer.from(data));
      return PAUSED;
    }
    const h = t.opts.hot();
    if (h.noBody) return CURLE.OK;
    const max = h.writeMax;
    if (data.length <= max) return this.#deliver(h, data, data);
    for (let off = 0; off < data.length; off += max) {
      const r = this.#deliver(h, data.subarray(off, off + max), data.subarray(off));
      if (r !== CURLE.OK) return r;
    }
    return CURLE.OK;
  }

  /**
   * Lines a protocol makes up for the body stream whatever NOBODY says
   * (FTP's "Content-Length:" facts of a NOBODY request, libcurl's
   * CLIENTWRITE_BOTH): straight to WRITEFUNCTION, not counted as download.
   */
  madeUpBody(data: Buffer): WriteResult {
    const t = this.#host;
    if (t.pauseBits & PAUSE_RECV) {
      this.#held.push(Buffer.from(data));
      return PAUSED;
    }
    return this.#deliver(t.opts.hot(), data, data);
  }

  /** One WRITEFUNCTION call with `piece`; `rest` (from `piece` on) is what a pause holds. */
  #deliver(h: HotOptions, piece: Buffer, rest: Buffer): WriteResult {
    const t = this.#host;
    const fn = writeFunction(this.#host, h);
    let n: number;
    try {
      n = call2(this.#guard, fn, piece, h.writeData);
    } catch (err) {
      t.fail(CURLE.WRITE_ERROR, callbackThrew(this.#guard, err, CURLE.WRITE_ERROR, CALLBACK_NAME.WRITE, t));
      return CURLE.WRITE_ERROR;
    }
    if (n === CURL_WRITEFUNC_PAUSE) {
      t.pauseBits |= PAUSE_RECV;
      this.#held.push(Buffer.from(rest));
      return PAUSED;
    }
    if (n !== piece.length) {
      // libcurl 7.88's text (8.x adds ", passed N returned M")
      t.fail(CURLE.WRITE_ERROR, 'Failure writing output to destination');
      return CURLE.WRITE_ERROR;
    }
    t.sizeDelivered += piece.length;
    if (t.pauseBits & PAUSE_RECV) {
      // easy.pause(CURLPAUSE_RECV) inside the callback: delivery stops now, what is left waits as after CURL_WRITEFUNC_PAUSE
      if (rest.length > piece.length) this.#held.push(Buffer.from(rest.subarray(piece.length)));
      else this.#stoppedEmpty = true;
      return PAUSED;
    }
    return CURLE.OK;
  }

  /**
   * After unpause: the held pieces go out in order. PAUSED when the
   * application paused again (what it did not take stays first in line),
   * or when it is still paused.
   */
  flush(): WriteResult {
    const held = this.#held;
    if (!(this.#host.pauseBits & PAUSE_RECV)) this.#stoppedEmpty = false;
    while (held.length > 0) {
      if (this.#host.pauseBits & PAUSE_RECV) return PAUSED;
      const data = held.shift()!;
      const before = held.length;
      const r = this.body(data);
      if (r === PAUSED) {
        // body() held the rest of `data` at the end: it goes before what was held after it
        if (held.length > before) held.unshift(held.pop()!);
        return PAUSED;
      }
      if (r !== CURLE.OK) return r;
    }
    return CURLE.OK;
  }

  /**
   * A header line (HEADER, INFO) to HEADERFUNCTION, or to WRITEFUNCTION with
   * HEADERDATA and no HEADERFUNCTION, as libcurl does; a HEADER (not an INFO)
   * into the body stream too with CURLOPT_HEADER.
   */
  header(type: number, line: Buffer): CURLcode {
    const t = this.#host;
    const h = t.opts.hot();
    if (!h.headerLines) return CURLE.OK;
    const hfn = h.headerFn as HeaderCallback | null;
    const hdata = h.headerData;
    if (hfn || hdata !== null) {
      const fn = hfn ?? writeFunction(this.#host, h, false);
      let n: number;
      try {
        n = call2(this.#guard, fn, line, hdata);
      } catch (err) {
        t.fail(CURLE.WRITE_ERROR, callbackThrew(this.#guard, err, CURLE.WRITE_ERROR, hfn ? CALLBACK_NAME.HEADER : CALLBACK_NAME.WRITE, t));
        return CURLE.WRITE_ERROR;
      }
      if (n !== line.length) {
        t.fail(CURLE.WRITE_ERROR, 'Failed writing header');
        return CURLE.WRITE_ERROR;
      }
    }
    if (h.includeHeader && type & CLIENTWRITE.HEADER) {
      // CURLOPT_HEADER: headers are part of the body stream too
      const fn = writeFunction(this.#host, h, false);
      let n: number;
      try {
        n = call2(this.#guard, fn, line, h.writeData);
      } catch (err) {
        t.fail(CURLE.WRITE_ERROR, callbackThrew(this.#guard, err, CURLE.WRITE_ERROR, CALLBACK_NAME.WRITE, t));
        return CURLE.WRITE_ERROR;
      }
      if (n !== line.length) {
        t.fail(CURLE.WRITE_ERROR, 'Failed writing header');
        return CURLE.WRITE_ERROR;
      }
    }
    return CURLE.OK;
  }
}
