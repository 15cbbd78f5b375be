// curly's path for a call that sets no libcurl option (`curly.get(url)`,
// with at most curly's own base URL, header-case and body-parser options):
// what a new Curl would do for it — a handle with node-libcurl's
// User-Agent and the URL, run on the Multi every Curl shares, body and
// header bytes stored — on a handle kept for the next such call instead of
// a new Curl each time. A re-used handle keeps the parsed URL and the
// request head it built for a repeated URL, as a libcurl program that
// re-adds its handles does; it never carries an option of another call
// (it is only ever given the URL and the User-Agent), so it sends what a
// fresh handle would.
import { CURLE, CURLINFO, CURLOPT, type Easy as TscEasy } from '../../index.js';
import { Easy, innerEasy } from './easy.js';
import type { Multi } from './multi.js';
import { CurlEasyError } from './errors.js';
import { mergeChunks, parseHeaders, type HeaderInfo } from './headers.js';

/** Handles kept for re-use at most (about the concurrency that made them). */
const MAX_SPARE = 256;

/** curly options that need no Curl of their own (they act on the result). */
const RESULT_ONLY = new Set(['curlyBaseUrl', 'curlyLowerCaseHeaders', 'curlyResponseBodyParser', 'curlyResponseBodyParsers']);

/** Can a call with these (merged) options take the plain path? Only curly's own options, none that streams or reports progress. */
export function isPlainCall(o: Record<string, unknown>): boolean {
  for (const key in o) {
    if (RESULT_ONLY.has(key)) continue;
    // curly* options a call leaves unused when false-ish; anything else is a libcurl option
    if (!key.startsWith('curly') || o[key]) return false;
  }
  return true;
}

class PlainHandle {
  readonly easy = new Easy();
  readonly inner: TscEasy = innerEasy(this.easy);
  url = '';
  userAgent: string | null = null;
  body: Buffer[] = [];
  bodyLength = 0;
  head: Buffer[] = [];
  headLength = 0;

  constructor() {
    // tscurl's buffers are only valid during the call: keep copies, as Curl does (node-libcurl's addon copies)
    this.inner.setopt(CURLOPT.WRITEFUNCTION, (chunk: Buffer) => {
      this.body.push(copy(chunk));
      this.bodyLength += chunk.length;
      return chunk.length;
    });
    this.inner.setopt(CURLOPT.HEADERFUNCTION, (line: Buffer) => {
      this.head.push(copy(line));
      this.headLength += line.length;
      return line.length;
    });
  }

  /** What the transfer stored, handed over and forgotten. */
  take(): { data: Buffer; headers: HeaderInfo[] } {
    const data = this.bodyLength === 0 ? Buffer.alloc(0) : mergeChunks(this.body, this.bodyLength);
    const headers = parseHeaders(mergeChunks(this.head, this.headLength).toString('utf8'));
    this.body = [];
    this.bodyLength = 0;
    this.head = [];
    this.headLength = 0;
    return { data, headers };
  }
}

function copy(b: Buffer): Buffer {
  const c = Buffer.allocUnsafe(b.length);
  c.set(b);
  return c;
}

const spare: PlainHandle[] = [];

/**
 * One plain transfer of `url` on `multi` with `userAgent` (Curl.defaultUserAgent
 * of the moment): the status, body Buffer and HeaderInfo[] a Curl's 'end'
 * event would give, or the CurlEasyError its 'error' event would.
 */
export async function plainTransfer(multi: Multi, url: string, userAgent: string | null): Promise<{ statusCode: number; data: Buffer; headers: HeaderInfo[] }> {
  const h = spare.pop() ?? new PlainHandle();
  try {
    if (h.userAgent !== userAgent) {
      h.easy.setOpt('USERAGENT', userAgent);
      h.userAgent = userAgent;
    }
    if (h.url !== url) {
      const code = h.inner.setopt(CURLOPT.URL, url);
      if (code !== CURLE.OK) throw new CurlEasyError(Easy.strError(code), code);
      h.url = url;
    }
    try {
      await multi.perform(h.easy);
    } finally {
      if (h.easy.isInsideMultiHandle) {
        try { multi.removeHandle(h.easy); } catch { /* the Multi was closed meanwhile */ }
      }
    }
    const statusCode = h.inner.getinfo(CURLINFO.RESPONSE_CODE) as number;
    return { statusCode, ...h.take() };
  } catch (err) {
    h.take();
    throw err;
  } finally {
    if (spare.length < MAX_SPARE && h.easy.isOpen) spare.push(h);
    else h.easy.close();
  }
}
