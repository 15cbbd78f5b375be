// The client writer stack's end: delivering response headers and body to the
// application's HEADERFUNCTION / WRITEFUNCTION (or, when none is set, to the
// WRITEDATA/HEADERDATA file as libcurl's default fwrite does), with libcurl's return conventions:
// a count other than the one passed is CURLE_WRITE_ERROR, CURL_WRITEFUNC_PAUSE
// holds the data back until easy.pause() resumes the transfer.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURL_WRITEFUNC_PAUSE } from '../constants.js';
import { PAUSED } from '../proto/http.js';
import type { Transfer } from '../multi/transfer.js';
import type { HotOptions } from '../easy/option-store.js';
import type { WriteCallback, HeaderCallback } from '../easy/callbacks.js';
import { defaultWrite } from '../easy/default-io.js';

export interface CallbackGuard {
  /** Run an application callback with the multi's in-callback flag set. */
  inCallback<R>(fn: () => R): R;
}

/**
 * WRITEFUNCTION, or libcurl's default when none is set: fwrite to the
 * userdata's FILE* (WRITEDATA or HEADERDATA; stdout when unset), see
 * src/easy/default-io.ts. Only body data may pause a full stream.
 */
function writeFunction(t: Transfer, h: HotOptions, mayPause = true): WriteCallback {
  return (h.writeFn as WriteCallback | null) ?? ((data, target) => defaultWrite(t, target, data, mayPause));
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
  const fn = writeFunction(t, h);
  let n: number;
  try {
    n = g.inCallback(() => fn(piece, h.writeData));
  } catch (err) {
    t.fail(CURLE.WRITE_ERROR, `Failure writing output to destination: ${(err as Error).message}`);
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
    const fn = hfn ?? writeFunction(t, t.opts.hot(), false);
    let n: number;
    try {
      n = g.inCallback(() => fn(line, hdata));
    } catch (err) {
      t.fail(CURLE.WRITE_ERROR, `Failure writing output to destination: ${(err as Error).message}`);
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
    const fn = writeFunction(t, h, false);
    let n: number;
    try {
      n = g.inCallback(() => fn(line, h.writeData));
    } catch {
      n = -1;
    }
    if (n !== line.length) {
      t.fail(CURLE.WRITE_ERROR, 'Failed writing header');
      return CURLE.WRITE_ERROR;
    }
  }
  return CURLE.OK;
}
