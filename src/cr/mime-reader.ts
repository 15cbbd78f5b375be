// MIME serialization as a client reader (libcurl's cr_mime over mime.c's
// readback): the body of a multipart Mime is
//   "--B\r\n" part "\r\n--B\r\n" part ... "\r\n--B--\r\n"
// where each part is its generated headers (Content-Disposition,
// Content-Type, Content-Transfer-Encoding), the application's headers, an
// empty line and the (encoded) content. The reader streams: files are read
// as the socket takes bytes, callbacks are called on demand, encoders work
// piece by piece. Sizes are known unless a callback's size is unknown or a
// quoted-printable part makes it so; then HTTP sends the body chunked.
import { closeSync, openSync, readSync } from 'node:fs';
import { CURLE } from '../codes.js';
import { CURL_READFUNC_ABORT, CURL_READFUNC_PAUSE } from '../constants.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import type { ClientReader, ReadResult, RewindResult } from './client-reader.js';
import { encoderFor, type Encoder } from './mime-encoders.js';
import { contentTypeFor, partState, type Mime, type MimePart } from './mime.js';
import { textToBuffer } from '../url/url-bytes.js';
import { CALLBACK_NAME, callbackThrew } from '../util/callback-failure.js';

interface Segment {
  size(): number;
  read(max: number): ReadResult;
  rewind(): RewindResult;
}

class Bytes implements Segment {
  readonly #b: Buffer;
  #pos = 0;
  /** a string is text (part headers from names, file names, types): its UTF-8 bytes, never each char's low byte */
  constructor(b: Buffer | string) {
    this.#b = typeof b === 'string' ? textToBuffer(b) : b;
  }
  size(): number {
    return this.#b.length;
  }
  read(max: number): ReadResult {
    if (this.#pos >= this.#b.length) return { kind: 'eos' };
    const d = this.#b.subarray(this.#pos, this.#pos + Math.max(1, max));
    this.#pos += d.length;
    return { kind: 'data', data: d, eos: this.#pos >= this.#b.length };
  }
  rewind(): RewindResult {
    this.#pos = 0;
    return { code: CURLE.OK };
  }
}

/** A part's file, opened when first read and closed at its end (libcurl's fopen/fread). */
class FileContent implements Segment {
  readonly #path: string;
  readonly #size: number;
  #fd: number | null = null;
  #done = false;
  constructor(path: string, size: number) {
    this.#path = path;
    this.#size = size;
  }
  size(): number {
    return this.#size;
  }
  read(max: number): ReadResult {
    if (this.#done) return { kind: 'eos' };
    try {
      this.#fd ??= openSync(this.#path, 'r');
      const buf = Buffer.alloc(Math.max(1, max));
      const n = readSync(this.#fd, buf, 0, buf.length, null);
      if (n > 0) return { kind: 'data', data: buf.subarray(0, n), eos: false };
    } catch {
      this.#close();
      return { kind: 'error', code: CURLE.READ_ERROR, message: `Failed to open/read local data from file/application` };
    }
    this.#close();
    this.#done = true;
    return { kind: 'eos' };
  }
  #close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
  rewind(): RewindResult {
    this.#close();
    this.#done = false;
    return { code: CURLE.OK };
  }
}

/** curl_mime_data_cb content. */
class CallbackContent implements Segment {
  readonly #p: ReturnType<typeof partState>;
  readonly #guard: CallbackGuard;
  #used = false;
  #done = false;
  constructor(p: ReturnType<typeof partState>, guard: CallbackGuard) {
    this.#p = p;
    this.#guard = guard;
  }
  size(): number {
    return this.#p.size;
  }
  read(max: number): ReadResult {
    if (this.#done) return { kind: 'eos' };
    const buf = Buffer.alloc(Math.max(1, max));
    this.#used = true;
    let n: number;
    try {
      n = this.#guard.inCallback(() => this.#p.read!(buf, this.#p.arg));
    } catch (err) {
      // a throw is a failed read, as for CURLOPT_READFUNCTION (README "Callbacks that throw")
      return { kind: 'error', code: CURLE.READ_ERROR, message: callbackThrew(this.#guard, err, CURLE.READ_ERROR, CALLBACK_NAME.MIME_READ) };
    }
    if (n === 0) {
      this.#done = true;
      return { kind: 'eos' };
    }
    if (n === CURL_READFUNC_ABORT) return { kind: 'error', code: CURLE.ABORTED_BY_CALLBACK, message: 'operation aborted by callback' };
    if (n === CURL_READFUNC_PAUSE) return { kind: 'pause' };
    if (!Number.isInteger(n) || n < 0 || n > buf.length) {
      return { kind: 'error', code: CURLE.READ_ERROR, message: 'read function returned funny value' };
    }
    return { kind: 'data', data: buf.subarray(0, n), eos: false };
  }
  rewind(): RewindResult {
    this.#done = false;
    if (!this.#used) return { code: CURLE.OK };
    const seek = this.#p.seek;
    let rc = 2; // CURL_SEEKFUNC_CANTSEEK without a seek callback
    if (seek) {
      try {
        rc = this.#guard.inCallback(() => seek(this.#p.arg, 0, 0));
      } catch (err) {
        // a throw is CURL_SEEKFUNC_FAIL
        const message = callbackThrew(this.#guard, err, CURLE.SEND_FAIL_REWIND, CALLBACK_NAME.MIME_SEEK);
        return { code: CURLE.SEND_FAIL_REWIND, message };
      }
    }
    if (rc !== 0) return { code: CURLE.SEND_FAIL_REWIND, message: 'necessary data rewind was not possible' };
    this.#used = false;
    return { code: CURLE.OK };
  }
}

/** Content passed through a Content-Transfer-Encoding. */
class Encoded implements Segment {
  readonly #inner: Segment;
  readonly #enc: Encoder;
  #done = false;
  constructor(inner: Segment, enc: Encoder) {
    this.#inner = inner;
    this.#enc = enc;
  }
  size(): number {
    const s = this.#inner.size();
    return s < 0 ? -1 : this.#enc.size(s);
  }
  read(max: number): ReadResult {
    if (this.#done) return { kind: 'eos' };
    const r = this.#inner.read(max);
    if (r.kind === 'pause' || r.kind === 'error') return r;
    const last = r.kind === 'eos' || r.eos;
    const out = this.#enc.push(r.kind === 'data' ? r.data : Buffer.alloc(0), last);
    if (typeof out === 'string') return { kind: 'error', code: CURLE.READ_ERROR, message: out };
    if (last) this.#done = true;
    return { kind: 'data', data: out, eos: last };
  }
  rewind(): RewindResult {
    this.#done = false;
    this.#enc.reset();
    return this.#inner.rewind();
  }
}

/** Segments one after the other. */
class Sequence implements Segment {
  readonly #segs: Segment[];
  #i = 0;
  constructor(segs: Segment[]) {
    this.#segs = segs;
  }
  size(): number {
    let total = 0;
    for (const s of this.#segs) {
      const n = s.size();
      if (n < 0) return -1;
      total += n;
    }
    return total;
  }
  read(max: number): ReadResult {
    while (this.#i < this.#segs.length) {
      const r = this.#segs[this.#i]!.read(max);
      if (r.kind === 'eos') {
        this.#i++;
        continue;
      }
      if (r.kind === 'data' && r.eos) {
        this.#i++;
        return { kind: 'data', data: r.data, eos: this.#i >= this.#segs.length };
      }
      return r;
    }
    return { kind: 'eos' };
  }
  rewind(): RewindResult {
    this.#i = 0;
    for (const s of this.#segs) {
      const r = s.rewind();
      if (r.code !== CURLE.OK) return r;
    }
    return { code: CURLE.OK };
  }
}

/** content_type_match: `type` is `target` followed by nothing, a space, a tab or ';' */
function typeMatches(type: string, target: string): boolean {
  return type.length >= target.length && type.slice(0, target.length).toLowerCase() === target &&
    (type.length === target.length || /^[ \t;]/.test(type.slice(target.length)));
}

function searchHeader(list: readonly string[], name: string): string | undefined {
  const l = name.toLowerCase() + ':';
  const h = list.find((x) => x.toLowerCase().startsWith(l));
  return h === undefined ? undefined : h.slice(l.length).trim();
}

/**
 * escape_string for HTTP forms: '"' %22, CR %0D, LF %0A; with
 * CURLMIMEOPT_FORMESCAPE backslash escapes instead ('\\' and '\"').
 */
function escapeFormValue(s: string, backslash: boolean): string {
  if (backslash) return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** CURLOPT_MIME_OPTIONS bits */
export const CURLMIMEOPT = { FORMESCAPE: 1 << 0 } as const;

/**
 * Curl_mime_prepare_headers for one part: the header lines libcurl
 * generates, given the content type and disposition its parent decided.
 */
export function generatedHeaders(part: MimePart, contentType: string | null, disposition: string | null, formEscape = false,
  mail = false): string[] {
  const s = partState(part);
  const out: string[] = [];
  const customct = s.type ?? searchHeader(s.headers, 'Content-Type') ?? null;
  let ct = customct ?? contentType;
  if (!ct) {
    if (s.kind === 'multipart') ct = 'multipart/mixed';
    else if (s.kind === 'file') ct = contentTypeFor(s.filename) ?? contentTypeFor(s.path) ?? (s.filename ? 'application/octet-stream' : null);
    else ct = contentTypeFor(s.filename);
  }
  const boundary = s.kind === 'multipart' ? s.sub!.boundary : null;
  // plain text is the default: a form field without a file name does not say it
  // (MIMESTRATEGY_MAIL: never, a mail part is text/plain unless it says otherwise)
  if (s.kind !== 'multipart' && ct && !customct && typeMatches(ct, 'text/plain') && (mail || !s.filename)) ct = null;
  if (searchHeader(s.headers, 'Content-Disposition') === undefined) {
    let disp = disposition;
    if (!disp && (s.filename || s.name || (ct && !ct.toLowerCase().startsWith('multipart/')))) disp = 'attachment';
    if (disp === 'attachment' && !s.name && !s.filename) disp = null;
    if (disp) {
      // MIMESTRATEGY_MAIL escapes with backslashes, as FORMESCAPE does for forms
      const bs = formEscape || mail;
      out.push(`Content-Disposition: ${disp}${s.name !== null ? `; name="${escapeFormValue(s.name, bs)}"` : ''}` +
        `${s.filename !== null ? `; filename="${escapeFormValue(s.filename, bs)}"` : ''}`);
    }
  }
  if (ct) out.push(`Content-Type: ${ct}${boundary ? `; boundary=${boundary}` : ''}`);
  if (searchHeader(s.headers, 'Content-Transfer-Encoding') === undefined) {
    // a mail part with a type says how it is encoded: 8bit unless an encoder was set
    const cte = s.encoder ?? (mail && ct && s.kind !== 'multipart' ? '8bit' : null);
    if (cte) out.push(`Content-Transfer-Encoding: ${cte}`);
  }
  return out;
}

function contentOf(part: MimePart, ct: string | null, guard: CallbackGuard, formEscape: boolean, mail: boolean): Segment {
  const s = partState(part);
  let seg: Segment;
  switch (s.kind) {
    case 'data': seg = new Bytes(s.data!); break;
    case 'file': seg = new FileContent(s.path!, s.size); break;
    case 'callback': seg = new CallbackContent(s, guard); break;
    case 'multipart': {
      const type = s.type ?? searchHeader(s.headers, 'Content-Type') ?? ct ?? 'multipart/mixed';
      seg = multipartBody(s.sub!, typeMatches(type, 'multipart/form-data') ? 'form-data' : null, guard, formEscape, mail);
      break;
    }
    default: seg = new Bytes(Buffer.alloc(0));
  }
  const enc = s.encoder && s.kind !== 'multipart' ? encoderFor(s.encoder) : undefined;
  return enc ? new Encoded(seg, enc) : seg;
}

function multipartBody(mime: Mime, disposition: string | null, guard: CallbackGuard, formEscape: boolean, mail = false): Segment {
  const segs: Segment[] = [];
  mime.parts.forEach((p, i) => {
    const s = partState(p);
    const headers = [...generatedHeaders(p, null, disposition, formEscape, mail), ...s.headers.filter((h) => searchHeader([h], 'Content-Type') === undefined)];
    segs.push(new Bytes(`${i === 0 ? '' : '\r\n'}--${mime.boundary}\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`));
    segs.push(contentOf(p, null, guard, formEscape, mail));
  });
  segs.push(new Bytes(`${mime.parts.length ? '\r\n' : ''}--${mime.boundary}--\r\n`));
  return new Sequence(segs);
}

/** CURLOPT_MIMEPOST's body as a client reader; `headerLines` go into the request head. */
export class MimeReader implements ClientReader {
  readonly name = 'cr-mime';
  readonly headerLines: string[];
  readonly #body: Segment;
  #used = false;

  /** @param contentType the application's Content-Type header value, if it set one */
  constructor(mime: Mime, guard: CallbackGuard, contentType: string | undefined, mimeOptions = 0) {
    const top = contentType || 'multipart/form-data';
    this.headerLines = [`Content-Type: ${top}; boundary=${mime.boundary}`];
    this.#body = multipartBody(mime, typeMatches(top, 'multipart/form-data') ? 'form-data' : null, guard,
      (mimeOptions & CURLMIMEOPT.FORMESCAPE) !== 0);
  }

  read(max: number): ReadResult {
    this.#used = true;
    return this.#body.read(max);
  }
  totalLength(): number {
    return this.#body.size();
  }
  clientLength(): number {
    return this.#body.size();
  }
  needsRewind(): boolean {
    return this.#used;
  }
  rewind(): RewindResult {
    const r = this.#body.rewind();
    if (r.code === CURLE.OK) this.#used = false;
    return r;
  }
}

/**
 * A MIME structure as a mail message (SMTP's MIMEPOST; libcurl's
 * MIMESTRATEGY_MAIL): the top part's headers first (its Content-Type with the
 * boundary, "Mime-Version: 1.0" unless the application gives one, then the
 * application's HTTPHEADER lines as mail headers), an empty line, the parts.
 */
export class MailMimeReader implements ClientReader {
  readonly name = 'cr-mime';
  readonly #body: Segment;
  #used = false;

  constructor(mime: Mime, guard: CallbackGuard, userHeaders: readonly string[]) {
    const customct = searchHeader(userHeaders, 'Content-Type');
    const top = customct || 'multipart/mixed';
    const head = [`Content-Type: ${top}; boundary=${mime.boundary}`];
    if (searchHeader(userHeaders, 'Mime-Version') === undefined) head.push('Mime-Version: 1.0');
    // the application's Content-Type became the top one above; a header without a value is not sent
    for (const h of userHeaders) if (searchHeader([h], 'Content-Type') === undefined && /^[^:]+:\s*\S/.test(h)) head.push(h);
    this.#body = new Sequence([
      new Bytes(head.map((h) => h + '\r\n').join('') + '\r\n'),
      multipartBody(mime, typeMatches(top, 'multipart/form-data') ? 'form-data' : null, guard, false, true),
    ]);
  }

  read(max: number): ReadResult {
    this.#used = true;
    return this.#body.read(max);
  }
  totalLength(): number {
    return this.#body.size();
  }
  clientLength(): number {
    return this.#body.size();
  }
  needsRewind(): boolean {
    return this.#used;
  }
  rewind(): RewindResult {
    const r = this.#body.rewind();
    if (r.code === CURLE.OK) this.#used = false;
    return r;
  }
}
