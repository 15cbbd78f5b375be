// The body path between the exchange and the client writer, in libcurl's
// writer phases: transfer decoding (gzip transfer-coding; chunked is already
// undone by the parser) -> the download counter (SIZE_DOWNLOAD and
// MAXFILESIZE count bytes here, before content decoding, as libcurl's
// cw_download does) -> content decoding -> the client (writeBody). Every
// stage is synchronous: decoded bytes reach the application in order,
// within the same call.
import { CURLE, easyStrerror, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { PAUSED } from '../proto/http.js';
import { writeBody, type CallbackGuard } from './client-writer.js';
import type { DecodeOutcome } from './content-decoders.js';
import type { Transfer } from '../multi/transfer.js';

/** Body bytes as they come off the wire (after de-chunking). */
export function writeDownload(g: CallbackGuard, t: Transfer, data: Buffer): CURLcode | typeof PAUSED {
  const te = t.decoding?.transfer;
  if (!te || te.depth === 0) return counted(g, t, data);
  return finish(t, te.write(data, (out) => ok(counted(g, t, out))));
}

/** The protocol phase: count, enforce MAXFILESIZE, then content-decode. */
function counted(g: CallbackGuard, t: Transfer, data: Buffer): CURLcode | typeof PAUSED {
  const max = t.opts.num(CURLOPT.MAXFILESIZE_LARGE) || t.opts.num(CURLOPT.MAXFILESIZE);
  if (max > 0 && t.sizeDownload + data.length > max) {
    t.fail(CURLE.FILESIZE_EXCEEDED, 'Exceeded the maximum allowed file size (' + max + ') with ' + (t.sizeDownload + data.length) + ' bytes');
    return CURLE.FILESIZE_EXCEEDED;
  }
  t.sizeDownload += data.length;
  const ce = t.decoding?.content;
  if (!ce || ce.depth === 0) return writeBody(g, t, data);
  return finish(t, ce.write(data, (out) => ok(writeBody(g, t, out))));
}

/** Inside a decoder, a paused client is fine: writeBody holds the bytes until unpause. */
function ok(r: CURLcode | typeof PAUSED): CURLcode {
  return r === PAUSED ? CURLE.OK : r;
}

function finish(t: Transfer, r: DecodeOutcome): CURLcode | typeof PAUSED {
  if (r.code !== CURLE.OK) {
    t.fail(r.code, r.message ?? easyStrerror(r.code));
    return r.code;
  }
  return t.pauseBits & 1 ? PAUSED : CURLE.OK;
}
