// What the headers of one HTTP/1.x response say about its body and its
// connection (hyper's framing as a sum type): Content-Length,
// Transfer-Encoding and Connection are gathered while the headers come
// (interpret()), and at their end decide() picks the framing ('length',
// 'chunked', 'close' or 'none') and whether the connection can carry
// another request. Used by the response parser; no I/O.
import { HDR, parseContentLength, plainLength, tokenList, type HeaderId } from './header-fields.js';
import type { Framing } from './response-events.js';

// the framings without a parameter: shared, callers only read them
export const FRAMING_NONE: Framing = Object.freeze({ kind: 'none' });
export const FRAMING_CLOSE: Framing = Object.freeze({ kind: 'close' });
export const FRAMING_CHUNKED: Framing = Object.freeze({ kind: 'chunked' });
/** curl 7.88's "no chunk, no close, no size. Assume close to signal end" */
export const FRAMING_CLOSE_NO_END_INDICATOR: Framing = Object.freeze({ kind: 'close', noEndIndicator: true });

export class ResponseFraming {
  /** the valid Content-Length, or null (absent, ignored or overflowing) */
  contentLength: number | null = null;
  /** Transfer-Encoding codings, lower-cased, in order ("identity" left out) */
  transferEncodings: string[] = [];
  #connClose = false;
  #connKeepAlive = false;
  /** a Content-Length too large to count (libcurl closes the connection after it, and says nothing more) */
  #overflow = false;
  /** the first Location's value */
  #location: string | null = null;
  /** the response comes from a forwarding proxy (ResponseParserOptions.viaProxy) */
  viaProxy = false;
  /** decide()'s verdict: the connection may carry another request after this response */
  reusable = false;

  /** A new response (interim or final) starts. */
  clear(): void {
    this.contentLength = null;
    if (this.transferEncodings.length > 0) this.transferEncodings = [];
    this.#connClose = false;
    this.#connKeepAlive = false;
    this.#overflow = false;
    this.#location = null;
    this.reusable = false;
  }

  /**
   * What a complete header means for framing and reuse. A message for
   * CURLE_WEIRD_SERVER_REPLY when the header makes the response unusable
   * (a bad or conflicting Content-Length; a second Location that says
   * something else, which curl 8 refuses whatever the status, its cases 772
   * and 773: which one would a redirect follow?), null otherwise.
   */
  interpret(id: HeaderId, value: string, ignoreContentLength: boolean): string | null {
    switch (id) {
      case HDR.CONTENT_LENGTH: {
        if (ignoreContentLength) return null;
        const plain = plainLength(value);
        if (plain >= 0) {
          if (this.contentLength !== null && this.contentLength !== plain) return 'Conflicting Content-Length values';
          this.contentLength = plain;
          return null;
        }
        const v = parseContentLength(value);
        if (v.kind === 'invalid') return 'Invalid Content-Length: value';
        if (v.kind === 'conflict' || (v.kind === 'ok' && this.contentLength !== null && this.contentLength !== v.length)) {
          return 'Conflicting Content-Length values';
        }
        if (v.kind === 'ok') this.contentLength = v.length;
        if (v.kind === 'overflow') this.#overflow = true;
        return null;
      }
      case HDR.TRANSFER_ENCODING:
        // "identity" is no coding at all (curl test 1494): it must not turn off Content-Length
        for (const c of tokenList(value)) if (c !== 'identity') this.transferEncodings.push(c);
        return null;
      case HDR.CONNECTION: {
        // one token, as servers send it, needs no list split
        const one = value.length === 10 || value.length === 5 ? value.toLowerCase() : '';
        if (one === 'keep-alive') this.#connKeepAlive = true;
        else if (one === 'close') this.#connClose = true;
        else {
          const t = tokenList(value);
          if (t.includes('close')) this.#connClose = true;
          if (t.includes('keep-alive')) this.#connKeepAlive = true;
        }
        return null;
      }
      case HDR.LOCATION:
        if (this.#location !== null && this.#location !== value) return 'Multiple Location headers';
        this.#location = value;
        return null;
      case HDR.PROXY_CONNECTION:
        // libcurl: an HTTP/1.0 reply through a proxy with "Proxy-Connection: keep-alive" keeps the connection
        if (this.viaProxy && value.trim().toLowerCase() === 'keep-alive') this.#connKeepAlive = true;
        return null;
      default:
        return null;
    }
  }

  /**
   * The final response's headers ended: its body framing, for a request
   * of `method` answered with `code` in HTTP `version` (10, 11). Sets
   * `reusable`.
   */
  decide(version: number, code: number, method: string): Framing {
    const te = this.transferEncodings;
    const cl = this.contentLength;
    const chunked = te.length > 0 && te[te.length - 1] === 'chunked';
    let reusable = version === 11 ? !this.#connClose : this.#connKeepAlive && !this.#connClose;
    // RFC 9112 6.1: a message with both may have been smuggled; do not reuse.
    if (te.length > 0 && cl !== null) reusable = false;
    let framing: Framing;
    if (code === 101 || (method === 'CONNECT' && code >= 200 && code < 300)) {
      // The connection now speaks another protocol (or is a tunnel); what
      // follows is for the caller, via takeLeftover().
      framing = FRAMING_NONE;
      reusable = false;
    } else if (method === 'HEAD' || code === 204 || code === 304) {
      framing = FRAMING_NONE;
    } else if (version === 20) {
      framing = FRAMING_CLOSE; // an HTTP/2 body ends with its stream (END_STREAM), whatever the headers say
    } else if (chunked) {
      framing = FRAMING_CHUNKED;
    } else if (te.length > 0 || cl === null) {
      // "no chunk, no close, no size. Assume close to signal end", libcurl says of an HTTP/1.1 response
      // that did not announce it (a Transfer-Encoding without chunked closes the connection in libcurl)
      framing = te.length === 0 && version === 11 && !this.#connClose && !this.#overflow ? FRAMING_CLOSE_NO_END_INDICATOR : FRAMING_CLOSE;
    } else {
      framing = { kind: 'length', length: cl };
    }
    if (framing.kind === 'close') reusable = false;
    this.reusable = reusable;
    return framing;
  }
}
