// The transfer's application body (READFUNCTION/READDATA, SEEKFUNCTION): one
// CallbackReader for all the requests of a transfer, so that a request that
// sends it knows whether an earlier one read from it. libcurl keeps one
// client reader per transfer and rewinds it when a new request starts
// sending it (Curl_client_start, cr_in_rewind): an HTTP PUT that a 307
// redirects to ftp://, sftp://, scp://, file:// or tftp:// sends the whole
// body again, or fails with CURLE_SEND_FAIL_REWIND when it cannot be rewound.
import { CURLOPT } from '../easy/option-table.js';
import { CURLE, type CURLcode } from '../codes.js';
import { CallbackReader } from '../cr/callback-reader.js';
import type { ReadCallback, SeekCallback } from '../easy/callbacks.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import type { Transfer } from '../multi/transfer.js';

/** The transfer's body source, made on first use. */
export function uploadSource(t: Transfer, guard: CallbackGuard): CallbackReader {
  const o = t.opts;
  return (t.clientSource ??= new CallbackReader({
    read: o.get(CURLOPT.READFUNCTION) as ReadCallback | null,
    readData: o.get(CURLOPT.READDATA),
    seek: o.get(CURLOPT.SEEKFUNCTION) as SeekCallback | null,
    seekData: o.get(CURLOPT.SEEKDATA),
    guard,
    transfer: t,
  }));
}

/**
 * The body source for a request that sends it from its first byte: rewound
 * when an earlier request of the transfer read from it. A failed rewind is
 * the transfer's failure (set on it here) and its code is returned.
 */
export function freshUploadSource(t: Transfer, guard: CallbackGuard): CallbackReader | CURLcode {
  const src = uploadSource(t, guard);
  if (!src.needsRewind()) return src;
  const r = src.rewind();
  if (r.code === CURLE.OK) return src;
  t.fail(r.code, r.message ?? '');
  return r.code;
}
