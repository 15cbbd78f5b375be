// The body path between the exchange and the client writer, in libcurl's
// writer phases: transfer decoding (gzip transfer-coding; chunked is already
// undone by the parser) -> the download counter (SIZE_DOWNLOAD and
// MAXFILESIZE count bytes here, before content decoding, as libcurl's
// cw_download does) -> content decoding -> the client (writeBody). Every
// stage is synchronous: decoded bytes reach the application in order,
// within the same call. A pause stops the decoders where they are (they
// keep their input, not their output); resumeDownload() goes on.
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
  return finish(t, te.write(data, (out) => counted(g, t, out)));
}

/**
 * After unpause, once the held client bytes are out: the decoders that
 * stopped for the pause go on (content ones first: they are nearer the
 * client). CURLE_OK when none is left stopped.
 */
export function resumeDownload(g: CallbackGuard, t: Transfer): CURLcode | typeof PAUSED {
  const d = t.decoding;
  if (!d) return CURLE.OK;
  if (d.content.paused) {
    const r = finish(t, d.content.resume((out) => writeBody(g, t, out)));
    if (r !== CURLE.OK) return r;
  }
  if (d.transfer.paused) {
    const r = finish(t, d.transfer.resume((out) => counted(g, t, out)));
    if (r !== CURLE.OK) return r;
  }
  return CURLE.OK;
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
  return finish(t, ce.write(data, (out) => writeBody(g, t, out)));
}

function finish(t: Transfer, r: DecodeOutcome): CURLcode | typeof PAUSED {
  if (r.code === PAUSED) return PAUSED;
  if (r.code !== CURLE.OK) {
    t.fail(r.code, r.message ?? easyStrerror(r.code));
    return r.code;
  }
  return t.pauseBits & 1 ? PAUSED : CURLE.OK;
}
