// The client writer stack's end: delivering response headers and body to the
// application's HEADERFUNCTION / WRITEFUNCTION (or to stdout when none is set,
// as libcurl's default fwrite does), with libcurl's return conventions:
// a count other than the one passed is CURLE_WRITE_ERROR, CURL_WRITEFUNC_PAUSE
// holds the data back until easy.pause() resumes the transfer.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURL_WRITEFUNC_PAUSE } from '../constants.js';
import { PAUSED } from '../proto/http.js';
import type { Transfer } from '../multi/transfer.js';
import type { HotOptions } from '../easy/option-store.js';
import type { WriteCallback, HeaderCallback } from '../easy/callbacks.js';
import { CALLBACK_NAME } from '../util/callback-failure.js';

export interface CallbackGuard {
  /** Run an application callback with the multi's in-callback flag set. */
  inCallback<R>(fn: () => R): R;
  /**
   * An application callback threw `thrown` (src/util/callback-failure.ts):
   * keep it for the application, make sure transfer `t` (by default the one
   * running now) ends with `code`, and answer the error text. The caller
   * fails with that code and text as for the callback's failure value.
   */
  callbackThrew(thrown: unknown, code: CURLcode, callback: string, t?: Transfer): string;
}

function defaultWrite(data: Buffer): number {
  // libcurl's fwrite copies; a stream may keep the Buffer queued past this call
  process.stdout.write(Buffer.from(data));
  return data.length;
}

/** WRITEFUNCTION, or libcurl's default (stdout) when none is set. */
function writeFunction(h: HotOptions): WriteCallback {
  return (h.writeFn as WriteCallback | null) ?? defaultWrite;
}

/**
 * The client phase: decoded body bytes to WRITEFUNCTION (counting and
 * MAXFILESIZE are in download-writer.ts), in pieces of at most
 * CURL_MAX_WRITE_SIZE (or BUFFERSIZE when smaller), as libcurl's chop_write
 * does. A pause holds the paused piece and everything after it.
 */
export function writeBody(g: CallbackGuard, t: Transfer, data: Buffer): CURLcode | typeof PAUSED {
  // held data is copied: `data` may be a view of memory reused after this call
  if (t.pauseBits & 1) {
    t.heldBody.push(Buffer.from(data));
    return PAUSED;
  }
  const h = t.opts.hot();
  if (h.noBody) return CURLE.OK;
  const max = h.writeMax;
  if (data.length <= max) return deliver(g, t, h, data, data);
  for (let off = 0; off < data.length; off += max) {
    const r = deliver(g, t, h, data.subarray(off, off + max), data.subarray(off));
    if (r !== CURLE.OK) return r;
  }
  return CURLE.OK;
}

/** One WRITEFUNCTION call with `piece`; `rest` (from `piece` on) is what a pause holds. */
function deliver(g: CallbackGuard, t: Transfer, h: HotOptions, piece: Buffer, rest: Buffer): CURLcode | typeof PAUSED {
  const fn = writeFunction(h);
  let n: number;
  try {
    n = g.inCallback(() => fn(piece, h.writeData));
  } catch (err) {
    t.fail(CURLE.WRITE_ERROR, g.callbackThrew(err, CURLE.WRITE_ERROR, CALLBACK_NAME.WRITE, t));
    return CURLE.WRITE_ERROR;
  }
  if (n === CURL_WRITEFUNC_PAUSE) {
    t.pauseBits |= 1;
    t.heldBody.push(Buffer.from(rest));
    return PAUSED;
  }
  if (n !== piece.length) {
    // libcurl 7.88's text (8.x adds ", passed N returned M")
    t.fail(CURLE.WRITE_ERROR, 'Failure writing output to destination');
    return CURLE.WRITE_ERROR;
  }
  t.sizeDelivered += piece.length;
  if (t.pauseBits & 1) {
    // easy.pause(CURLPAUSE_RECV) inside the callback: delivery stops now, what is left waits as after CURL_WRITEFUNC_PAUSE
    if (rest.length > piece.length) t.heldBody.push(Buffer.from(rest.subarray(piece.length)));
    else t.resumeAfterPause = true;
    return PAUSED;
  }
  return CURLE.OK;
}

/**
 * Whether writeHeader() delivers header lines anywhere (HEADERFUNCTION,
 * HEADERDATA or CURLOPT_HEADER): when not, a caller may skip making the line.
 */
export function headerLinesWanted(t: Transfer): boolean {
  return t.opts.hot().headerLines;
}

/** A header line to HEADERFUNCTION/HEADERDATA and, with CURLOPT_HEADER and not `headerOnly`, to the body stream. */
export function writeHeader(g: CallbackGuard, t: Transfer, line: Buffer, headerOnly = false): CURLcode {
  const hfn = t.opts.get(CURLOPT.HEADERFUNCTION) as HeaderCallback | null;
  const hdata = t.opts.get(CURLOPT.HEADERDATA);
  if (hfn || hdata !== null) {
    // libcurl: with HEADERDATA but no HEADERFUNCTION, headers go to the write function
    const fn = hfn ?? writeFunction(t.opts.hot());
    let n: number;
    try {
      n = g.inCallback(() => fn(line, hdata));
    } catch (err) {
      t.fail(CURLE.WRITE_ERROR, g.callbackThrew(err, CURLE.WRITE_ERROR, hfn ? CALLBACK_NAME.HEADER : CALLBACK_NAME.WRITE, t));
      return CURLE.WRITE_ERROR;
    }
    if (n !== line.length) {
      t.fail(CURLE.WRITE_ERROR, 'Failed writing header');
      return CURLE.WRITE_ERROR;
    }
  }
  if (!headerOnly && t.opts.num(CURLOPT.HEADER)) {
    // CURLOPT_HEADER: headers are part of the body stream too
    const h = t.opts.hot();
    const fn = writeFunction(h);
    let n: number;
    try {
      n = g.inCallback(() => fn(line, h.writeData));
    } catch (err) {
      t.fail(CURLE.WRITE_ERROR, g.callbackThrew(err, CURLE.WRITE_ERROR, CALLBACK_NAME.WRITE, t));
      return CURLE.WRITE_ERROR;
    }
    if (n !== line.length) {
      t.fail(CURLE.WRITE_ERROR, 'Failed writing header');
      return CURLE.WRITE_ERROR;
    }
  }
  return CURLE.OK;
}
