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
import { addField, mergeChunks, parseHeaders, statusObject, type HeaderInfo } from './headers.js';

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
  constructor() {
    // tscurl's buffers are only valid during the call: keep copies, as Curl does (node-libcurl's addon copies)
    this.inner.setopt(CURLOPT.WRITEFUNCTION, (chunk: Buffer) => {
      this.body.push(copy(chunk));
      this.bodyLength += chunk.length;
      return chunk.length;
    });
    // the header lines a HEADERFUNCTION would get, gathered by the engine (no call per line)
    this.inner.keepHeaderBytes(true);
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
    const headers = this.#storedHeaders(statusCode) ?? parseHeaders(this.inner.headerBytes().toString('utf8'));
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
   * raw lines would parse into (one HTTP/1 response whose status line and
   * header lines each split back into what was stored:
   * Easy.exactResponseHead()): the engine made those strings already, and
   * the raw lines are not read. null: parse the raw lines.
   */
  #storedHeaders(statusCode: number): HeaderInfo[] | null {
    const head = this.inner.exactResponseHead();
    if (!head) return null;
    const block: Record<string, unknown> = { result: statusObject(head[0]!, statusCode, head[1]!) };
    for (let i = 2; i < head.length; i += 2) addField(block, head[i]!, head[i + 1]!);
    return [block as HeaderInfo];
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
  }
}

function copy(b: Buffer): Buffer {
  const c = Buffer.allocUnsafe(b.length);
  c.set(b);
  return c;
}

const spare: PlainHandle[] = [];

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
