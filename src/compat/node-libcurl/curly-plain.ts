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
import type { Multi, TransferTarget } from './multi.js';
import type { CurlyFunction, CurlyOptions, CurlyResult } from './curly.js';
import { CurlEasyError } from './errors.js';
import { mergeChunks, statusResult, type HeaderInfo } from './headers.js';
import { HeaderShapes, blockFromFields, parseHeadersShaped } from './header-shapes.js';

/** Handles kept for re-use at most (about the concurrency that made them). */
const MAX_SPARE = 256;

/** The header buffer a handle starts with, and the most it keeps between calls. */
const HEAD_BUFFER = 2048;
const HEAD_BUFFER_KEPT = 64 * 1024;

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

/** A plain call's way back: what settles its promise. */
class PlainCall {
  constructor(
    readonly settle: PlainSettle,
    readonly options: CurlyOptions,
    readonly curly: CurlyFunction,
    readonly resolve: (r: CurlyResult) => void,
    readonly reject: (err: unknown) => void,
  ) {}
}

/**
 * A kept handle and the call it serves. It is also what the Multi tells the
 * transfer's end to (performTo()): a long-lived object, so a call makes no
 * promise, closure or Map entry of its own for it.
 */
class PlainHandle implements TransferTarget {
  readonly easy = new Easy();
  readonly inner: TscEasy = innerEasy(this.easy);
  url = '';
  userAgent: string | null = null;
  readonly body: Buffer[] = [];
  bodyLength = 0;
  /**
   * The header bytes of the transfer, gathered in one buffer the handle keeps
   * (no copy per line and no join: they are decoded once at the end).
   */
  head = Buffer.allocUnsafe(HEAD_BUFFER);
  headLength = 0;
  /** what this handle's last heads looked like (see header-shapes.ts) */
  readonly headerShapes = new HeaderShapes();

  constructor() {
    // tscurl's buffers are only valid during the call: keep copies, as Curl does (node-libcurl's addon copies)
    this.inner.setopt(CURLOPT.WRITEFUNCTION, (chunk: Buffer) => {
      this.body.push(copy(chunk));
      this.bodyLength += chunk.length;
      return chunk.length;
    });
    this.inner.setopt(CURLOPT.HEADERFUNCTION, (line: Buffer) => {
      const end = this.headLength + line.length;
      if (end > this.head.length) {
        const bigger = Buffer.allocUnsafe(Math.max(end, this.head.length * 2));
        this.head.copy(bigger, 0, 0, this.headLength);
        this.head = bigger;
      }
      line.copy(this.head, this.headLength);
      this.headLength = end;
      return line.length;
    });
  }

  #multi: Multi | null = null;
  #call: PlainCall | null = null;

  run(multi: Multi, url: string, userAgent: string | null, call: PlainCall): void {
    try {
      if (this.userAgent !== userAgent) {
        this.easy.setOpt('USERAGENT', userAgent);
        this.userAgent = userAgent;
      }
      if (this.url !== url) {
        const code = this.inner.setopt(CURLOPT.URL, url);
        if (code !== CURLE.OK) throw new CurlEasyError(Easy.strError(code), code);
        this.url = url;
      }
      multi.performTo(this.easy, this);
    } catch (err) {
      this.#release();
      call.reject(err);
      return;
    }
    this.#multi = multi;
    this.#call = call;
  }

  /** TransferTarget: the transfer ended (called from the Multi's loop). */
  transferEnded(_easy: Easy, err: Error | null): void {
    const call = this.#call!;
    const multi = this.#multi!;
    this.#call = null;
    this.#multi = null;
    if (this.easy.isInsideMultiHandle) {
      try { multi.removeHandle(this.easy); } catch { /* the Multi was closed meanwhile */ }
    }
    if (err) {
      this.take();
      this.#release();
      call.reject(err);
      return;
    }
    const statusCode = this.inner.getinfo(CURLINFO.RESPONSE_CODE) as number;
    const data = this.bodyLength === 0 ? Buffer.alloc(0) : mergeChunks(this.body, this.bodyLength);
    const headers = this.#storedHeaders() ?? parseHeadersShaped(this.head.toString('utf8', 0, this.headLength), this.headerShapes);
    this.take();
    this.#release();
    let result: CurlyResult;
    try {
      result = call.settle(statusCode, data, headers, call.options, call.curly);
    } catch (e) {
      call.reject(e);
      return;
    }
    call.resolve(result);
  }

  /**
   * The header array from what the transfer stored, when that is what the
   * raw lines would parse into (one response, each line known to split into
   * its stored name and value: HeaderStore.exactResponseFields()): the
   * engine made those strings already. Only the status line is split from
   * the raw bytes. null: parse the raw lines.
   */
  #storedHeaders(): HeaderInfo[] | null {
    const fields = this.inner.exactResponseFields();
    if (!fields) return null;
    // the status line as parseHeaders() cuts it: up to CRLF or LF, with no other CR before
    const head = this.head;
    const lf = head.indexOf(LF);
    if (lf <= 0 || lf >= this.headLength) return null;
    const end = head[lf - 1] === CR ? lf - 1 : lf;
    const cr = head.indexOf(CR);
    if (cr >= 0 && cr < end) return null;
    return [blockFromFields(fields, statusResult(head.toString('utf8', 0, end)), this.headerShapes)];
  }

  /** Kept for the next call, or closed. */
  #release(): void {
    if (spare.length < MAX_SPARE && this.easy.isOpen) spare.push(this);
    else this.easy.close();
  }

  /** What the transfer stored, forgotten. */
  take(): void {
    // (the chunks were handed over joined, or as the one chunk itself: the list can be re-used)
    this.body.length = 0;
    this.bodyLength = 0;
    // a handle kept for the next call does not keep a large head's buffer
    if (this.head.length > HEAD_BUFFER_KEPT) this.head = Buffer.allocUnsafe(HEAD_BUFFER);
    this.headLength = 0;
  }
}

function copy(b: Buffer): Buffer {
  const c = Buffer.allocUnsafe(b.length);
  c.set(b);
  return c;
}

const spare: PlainHandle[] = [];
const LF = 10;
const CR = 13;

/** curly's settle(): the result of a finished call from its status, body and headers (throws what the call rejects with). */
export type PlainSettle = (statusCode: number, data: Buffer, headers: HeaderInfo[], o: CurlyOptions, curly: CurlyFunction) => CurlyResult;

/**
 * One plain transfer of `url` on `multi` with `userAgent` (Curl.defaultUserAgent
 * of the moment): resolves with what `settle` makes of the status, body Buffer
 * and HeaderInfo[] a Curl's 'end' event would give, or rejects with the
 * CurlEasyError its 'error' event would (or with what `settle` throws).
 */
export function plainTransfer(
  multi: Multi,
  url: string,
  userAgent: string | null,
  settle: PlainSettle,
  o: CurlyOptions,
  curly: CurlyFunction,
): Promise<CurlyResult> {
  return new Promise<CurlyResult>((resolve, reject) => {
    const h = spare.pop() ?? new PlainHandle();
    h.run(multi, url, userAgent, new PlainCall(settle, o, curly, resolve, reject));
  });
}
