// Where a mail upload comes from (SMTP's message, IMAP's APPEND): the
// application's READFUNCTION (UPLOAD), or a MIME structure (MIMEPOST) read
// with libcurl's mail strategy (MailMimeReader: top-level headers, the
// application's HTTPHEADER lines as mail headers, "Mime-Version: 1.0").
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { HTTPREQ } from '../../easy/option-store.js';
import type { Transfer } from '../../multi/transfer.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import type { ClientReader } from '../../cr/client-reader.js';
import type { Mime } from '../../cr/mime.js';
import { MailMimeReader } from '../../cr/mime-reader.js';
import { freshUploadSource } from '../upload-source.js';

export interface MailBody {
  reader: ClientReader;
  /** the size announced (INFILESIZE, the MIME structure's size), -1 unknown */
  size: number;
}

/** The transfer sends a message: an upload, or a MIME structure. */
export function wantsUpload(t: Transfer): boolean {
  return t.opts.method === HTTPREQ.PUT || (t.opts.method === HTTPREQ.POST_MIME && t.opts.get(CURLOPT.MIMEPOST) !== null);
}

/** The body to send; an error when the MIME structure cannot be read. */
export function mailBody(t: Transfer, guard: CallbackGuard): { code: CURLcode; message?: string; body?: MailBody } {
  const o = t.opts;
  if (o.method === HTTPREQ.POST_MIME) {
    const mime = o.get(CURLOPT.MIMEPOST) as Mime | null;
    if (mime) {
      const headers = (o.get(CURLOPT.HTTPHEADER) as string[] | null) ?? [];
      const r = new MailMimeReader(mime, guard, headers);
      const rw = r.rewind();
      if (rw.code !== CURLE.OK) return { code: rw.code, message: rw.message };
      return { code: CURLE.OK, body: { reader: r, size: r.totalLength() } };
    }
  }
  const reader = freshUploadSource(t, guard);
  // a failed rewind has failed the transfer with its message already
  if (typeof reader === 'number') return { code: reader };
  // 7.88 reads until the callback says 0; INFILESIZE is what SIZE= and the progress meter announce
  reader.start(-1);
  return { code: CURLE.OK, body: { reader, size: o.num(CURLOPT.INFILESIZE_LARGE) } };
}
