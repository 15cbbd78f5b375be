// node-libcurl's CurlMime and CurlMimePart on tscurl's MIME API: chainable
// setters that throw CurlEasyError when libcurl refuses, data callbacks in
// node-libcurl's shape (read(size) returns a Buffer, a string, null for the
// end, or CurlReadFunc.Pause/Abort), Node streams as part data, and the
// deprecated HTTPPOST field list turned into the MIME post libcurl itself
// turns it into.
import type { Readable } from 'node:stream';
import { Mime, MimePart, CURLE, CURL_READFUNC_ABORT, CURL_READFUNC_PAUSE } from '../../index.js';
import { easyError } from './errors.js';

const mimes = new WeakMap<CurlMime, Mime>();
/** The tscurl Mime behind a compat CurlMime (for Easy's MIMEPOST option). */
export function innerMime(mime: CurlMime): Mime {
  return mimes.get(mime)!;
}

export class CurlMime {
  readonly #inner = new Mime();

  /** `handle` is the Easy or Curl the MIME post is for (node-libcurl's curl_mime_init argument). */
  constructor(handle?: unknown) {
    if (handle === undefined) throw new TypeError('CurlMime requires an Easy or Curl handle.');
    mimes.set(this, this.#inner);
  }

  /** curl_mime_addpart */
  addPart(): CurlMimePart {
    return new CurlMimePart(this.#inner.addpart());
  }
}

export interface MimeDataCallbacks {
  read: (size: number) => Buffer | string | null | number;
  seek?: (offset: number, origin: number) => boolean;
  free?: () => void;
}

type Encoder = 'binary' | '8bit' | '7bit' | 'base64' | 'quoted-printable';

export class CurlMimePart {
  readonly #part: MimePart;

  constructor(part: MimePart) {
    this.#part = part;
  }

  #check(code: number, what: string): this {
    if (code !== CURLE.OK) throw easyError(`Failed to set ${what}`, code, true);
    return this;
  }

  setName(name: string | null): this { return this.#check(this.#part.name(name), 'name'); }
  setData(data: string | Buffer | null): this { return this.#check(this.#part.data(data), 'data'); }
  setFileData(filePath: string | null): this { return this.#check(this.#part.filedata(filePath), 'file data'); }
  setType(mimeType: string | null): this { return this.#check(this.#part.type(mimeType), 'type'); }
  setFileName(fileName: string | null): this { return this.#check(this.#part.filename(fileName), 'file name'); }
  setEncoder(encoding: Encoder | null): this { return this.#check(this.#part.encoder(encoding), 'encoder'); }
  setHeaders(headers: string[] | null): this { return this.#check(this.#part.headers(headers), 'headers'); }

  setSubparts(mime: CurlMime | null): this {
    return this.#check(this.#part.subparts(mime ? innerMime(mime) : null), 'subparts');
  }

  /** curl_mime_data_cb with node-libcurl's callbacks; `size` -1 for unknown. */
  setDataCallback(size: number, callbacks: MimeDataCallbacks): this {
    if (!callbacks || typeof callbacks.read !== 'function') throw new TypeError('callbacks.read must be a function');
    let held: Buffer | null = null; // what read() gave beyond the room libcurl offered
    const read = (buf: Buffer): number => {
      let chunk = held;
      held = null;
      if (!chunk) {
        const r = callbacks.read(buf.length);
        if (r === null || r === undefined) return 0;
        if (typeof r === 'number') return r === CURL_READFUNC_PAUSE || r === CURL_READFUNC_ABORT ? r : CURL_READFUNC_ABORT;
        chunk = typeof r === 'string' ? Buffer.from(r) : r;
      }
      const n = chunk.copy(buf);
      if (n < chunk.length) held = chunk.subarray(n);
      return n;
    };
    const seek = callbacks.seek
      ? (_arg: unknown, offset: number, origin: number): number => {
        held = null;
        return callbacks.seek!(offset, origin) ? 0 : 1;
      }
      : null;
    const free = callbacks.free ? (): void => callbacks.free!() : null;
    return this.#check(this.#part.dataCb(size, read, seek, free), 'data callback');
  }

  /**
   * Part data from a Node Readable, read in paused mode: when it has nothing
   * buffered the upload pauses (CURL_READFUNC_PAUSE) and `unpause` is called
   * once it has (on the next turn of the event loop, after libcurl took the pause).
   */
  setDataStream(stream: Readable, unpause: () => void, size?: number): this {
    let ended = false;
    let failed: unknown = null;
    let paused = false;
    const wake = (): void => {
      if (!paused) return;
      paused = false;
      setImmediate(unpause);
    };
    const onEnd = (): void => { ended = true; wake(); detach(); };
    const onError = (err: unknown): void => { failed = err; ended = true; wake(); detach(); };
    const detach = (): void => {
      stream.off('readable', wake);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.pause();
    stream.on('readable', wake);
    stream.on('end', onEnd);
    stream.on('error', onError);
    return this.setDataCallback(size ?? -1, {
      read: (want) => {
        if (failed) return CURL_READFUNC_ABORT;
        if (ended) return null;
        const data = stream.read(Math.min(want, stream.readableLength || want)) as Buffer | string | null;
        if (data === null) {
          if (ended || stream.readableEnded) return null;
          paused = true;
          return CURL_READFUNC_PAUSE;
        }
        return data;
      },
      free: () => { detach(); stream.destroy(); },
    });
  }
}

export type HttpPostField = { name: string; contents: string } | { name: string; file: string; type?: string; filename?: string };

/** CURLOPT_HTTPPOST's field list as the MIME post libcurl builds from it. */
export function httpPostToMime(fields: HttpPostField[]): Mime {
  const mime = new Mime();
  for (const f of fields) {
    if (!f || typeof f !== 'object') throw new TypeError('HTTPPOST option value should be an Array of Objects.');
    if (typeof f.name !== 'string') throw easyError('Missing field "name".', CURLE.BAD_FUNCTION_ARGUMENT);
    const part = mime.addpart();
    part.name(f.name);
    if ('file' in f && typeof f.file === 'string') {
      part.filedata(f.file);
      if (f.type) part.type(f.type);
      if (f.filename) part.filename(f.filename);
    } else if ('contents' in f && typeof f.contents === 'string') {
      part.data(f.contents);
    } else {
      throw easyError('Missing field "contents".', CURLE.BAD_FUNCTION_ARGUMENT);
    }
  }
  return mime;
}
