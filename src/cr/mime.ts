// The MIME API (curl_mime_*): a Mime is a list of parts with a boundary; a
// part is data, a file, a read callback or nested parts (subparts), with a
// name, a remote file name, a type, an encoder and extra headers. Every
// setter returns a CURLcode as its libcurl counterpart does. The bytes are
// produced by MimeReader (mime-reader.ts) when a request sends them
// (CURLOPT_MIMEPOST).
import { randomInt } from 'node:crypto';
import { textToBuffer } from '../url/url-bytes.js';
import { statSync } from 'node:fs';
import { CURLE, type CURLcode } from '../codes.js';
import { isEncoderName } from './mime-encoders.js';

/** curl_mime_data's "the string is NUL-terminated" size */
export const CURL_ZERO_TERMINATED = -1;

/** libcurl 8: 24 dashes and 22 random alphanumerics */
const BOUNDARY_DASHES = 24;
const BOUNDARY_RANDOM = 22;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** curl_mime_data_cb's read callback: fill `buf`, return the count, 0 at the end, CURL_READFUNC_ABORT/PAUSE. */
export type MimeReadCallback = (buf: Buffer, arg: unknown) => number;
/** curl_mime_data_cb's seek callback: CURL_SEEKFUNC_OK/FAIL/CANTSEEK. */
export type MimeSeekCallback = (arg: unknown, offset: number, origin: number) => number;
export type MimeFreeCallback = (arg: unknown) => void;

export type PartKind = 'none' | 'data' | 'file' | 'callback' | 'multipart';

export interface PartState {
  kind: PartKind;
  name: string | null;
  filename: string | null;
  type: string | null;
  encoder: string | null;
  headers: string[];
  data: Buffer | null;
  /** the local file (kind 'file') */
  path: string | null;
  /** bytes of content, -1 unknown */
  size: number;
  read: MimeReadCallback | null;
  seek: MimeSeekCallback | null;
  free: MimeFreeCallback | null;
  arg: unknown;
  sub: Mime | null;
  owner: Mime;
}

const STATES = new WeakMap<MimePart, PartState>();
/** The part's settings, for the reader (not part of the public API). */
export function partState(p: MimePart): PartState {
  return STATES.get(p)!;
}

export class Mime {
  /** the boundary between parts (without the leading "--") */
  readonly boundary: string;
  readonly #parts: MimePart[] = [];
  /** the part this Mime is the subparts of: a Mime can only be used once */
  parent: MimePart | null = null;

  constructor() {
    let r = '';
    for (let i = 0; i < BOUNDARY_RANDOM; i++) r += ALNUM[randomInt(ALNUM.length)];
    this.boundary = '-'.repeat(BOUNDARY_DASHES) + r;
  }

  /** curl_mime_addpart */
  addpart(): MimePart {
    const p = new MimePart(this);
    this.#parts.push(p);
    return p;
  }

  get parts(): readonly MimePart[] {
    return this.#parts;
  }

  /** curl_mime_free: data callbacks' free functions run; the parts are gone. */
  free(): void {
    for (const p of this.#parts) {
      const s = partState(p);
      if (s.free) s.free(s.arg);
      s.sub?.free();
    }
    this.#parts.length = 0;
  }
}

export class MimePart {
  constructor(owner: Mime) {
    STATES.set(this, {
      kind: 'none', name: null, filename: null, type: null, encoder: null, headers: [], data: null, path: null,
      size: 0, read: null, seek: null, free: null, arg: null, sub: null, owner,
    });
  }

  #s(): PartState {
    return STATES.get(this)!;
  }

  /** Forget the content (a new one replaces it, as libcurl's cleanup_part_content). */
  #clearContent(): void {
    const s = this.#s();
    if (s.free) s.free(s.arg);
    if (s.sub) s.sub.parent = null;
    Object.assign(s, { kind: 'none', data: null, path: null, size: 0, read: null, seek: null, free: null, arg: null, sub: null });
  }

  /** curl_mime_name */
  name(name: string | null): CURLcode {
    this.#s().name = name;
    return CURLE.OK;
  }

  /** curl_mime_filename: the remote file name in Content-Disposition */
  filename(name: string | null): CURLcode {
    this.#s().filename = name;
    return CURLE.OK;
  }

  /** curl_mime_type */
  type(mimetype: string | null): CURLcode {
    this.#s().type = mimetype;
    return CURLE.OK;
  }

  /** curl_mime_encoder: binary, 8bit, 7bit, base64 or quoted-printable; null for none */
  encoder(name: string | null): CURLcode {
    if (name !== null && !isEncoderName(name)) return CURLE.BAD_FUNCTION_ARGUMENT;
    this.#s().encoder = name;
    return CURLE.OK;
  }

  /** curl_mime_headers: extra header lines for this part (the list is copied) */
  headers(list: readonly string[] | null): CURLcode {
    this.#s().headers = list ? [...list] : [];
    return CURLE.OK;
  }

  /** curl_mime_data: bytes (a string is text: its UTF-8 bytes); `size` CURL_ZERO_TERMINATED means all of it */
  data(data: Buffer | Uint8Array | string | null, size: number = CURL_ZERO_TERMINATED): CURLcode {
    this.#clearContent();
    if (data === null) return CURLE.OK;
    let b = typeof data === 'string' ? textToBuffer(data) : Buffer.from(data);
    if (typeof data === 'string' && size === CURL_ZERO_TERMINATED) {
      const nul = b.indexOf(0);
      if (nul >= 0) b = b.subarray(0, nul);
    } else if (size >= 0) b = b.subarray(0, size);
    Object.assign(this.#s(), { kind: 'data', data: b, size: b.length });
    return CURLE.OK;
  }

  /**
   * curl_mime_filedata: the content is read from `path` when sent; the remote
   * file name becomes its base name. A file that cannot be stat'ed answers
   * CURLE_READ_ERROR (the part stays, its size unknown), as libcurl does.
   */
  filedata(path: string | null): CURLcode {
    this.#clearContent();
    if (path === null) return CURLE.OK;
    const s = this.#s();
    let code: CURLcode = CURLE.OK;
    let size = -1;
    try {
      const st = statSync(path);
      if (st.isFile()) size = st.size;
    } catch {
      code = CURLE.READ_ERROR;
    }
    Object.assign(s, { kind: 'file', path, size });
    s.filename = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
    return code;
  }

  /** curl_mime_data_cb: `size` bytes (-1 unknown) from `read`; `seek` rewinds, `free` runs at the end */
  dataCb(size: number, read: MimeReadCallback | null, seek: MimeSeekCallback | null = null,
    free: MimeFreeCallback | null = null, arg: unknown = null): CURLcode {
    this.#clearContent();
    if (!read) return CURLE.OK;
    Object.assign(this.#s(), { kind: 'callback', size, read, seek, free, arg });
    return CURLE.OK;
  }

  /** curl_mime_subparts: the content is another Mime (multipart/mixed unless typed) */
  subparts(mime: Mime | null): CURLcode {
    if (mime !== null) {
      if (mime.parent !== null && mime.parent !== this) return CURLE.BAD_FUNCTION_ARGUMENT;
      // a part cannot contain its own Mime (a loop)
      for (let m: Mime | null = this.#s().owner; m; m = m.parent ? partState(m.parent).owner : null) {
        if (m === mime) return CURLE.BAD_FUNCTION_ARGUMENT;
      }
    }
    this.#clearContent();
    if (mime === null) return CURLE.OK;
    mime.parent = this;
    Object.assign(this.#s(), { kind: 'multipart', sub: mime, size: -1 });
    return CURLE.OK;
  }
}

/** Curl_mime_contenttype: the type for a file name's extension */
const EXTENSION_TYPES: readonly (readonly [string, string])[] = [
  ['.gif', 'image/gif'], ['.jpg', 'image/jpeg'], ['.jpeg', 'image/jpeg'], ['.png', 'image/png'],
  ['.svg', 'image/svg+xml'], ['.txt', 'text/plain'], ['.htm', 'text/html'], ['.html', 'text/html'],
  ['.pdf', 'application/pdf'], ['.xml', 'application/xml'],
];
export function contentTypeFor(filename: string | null): string | null {
  if (!filename) return null;
  const lower = filename.toLowerCase();
  for (const [ext, type] of EXTENSION_TYPES) if (lower.endsWith(ext)) return type;
  return null;
}
