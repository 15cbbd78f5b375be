// The HTTP/1 response parsers HTTP exchanges use (src/proto/http.ts): kept
// for reuse between the responses of kept-alive connections, and the words
// curl uses for a socket error, and what an exchange does with header sizes and
// a Location.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { ResponseParser, MAX_HTTP_RESP_HEADER_SIZE, type ResponseParserOptions } from '../http1/response-parser.js';
import type { Transfer } from '../multi/transfer.js';
import { resolveLocationHref } from './redirect.js';

/**
 * Parsers of completed keep-alive responses, for the next exchanges to
 * reset() and reuse: one parser (with its queue and reused event objects)
 * per response is garbage the receive path need not make. Bounded.
 */
const sparedParsers: ResponseParser[] = [];
const MAX_SPARED_PARSERS = 64;

/** Keep a parser whose response is complete for a next exchange; false when it cannot be (excess bytes, pool full). */
export function spareParser(p: ResponseParser): boolean {
  if (!p.recyclable || sparedParsers.length >= MAX_SPARED_PARSERS) return false;
  p.forgetBuffers();
  sparedParsers.push(p);
  return true;
}

export function parserFor(opts: ResponseParserOptions): ResponseParser {
  const p = sparedParsers.pop();
  if (!p) return new ResponseParser(opts);
  p.reset(opts);
  return p;
}

/** A receive error in curl's words. */
export function describeNetError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET') return 'Connection reset by peer';
  return err.message;
}

/**
 * Count response header bytes for CURLINFO_HEADER_SIZE. Each response is
 * capped by the parser (300 KB); across all responses of the transfer
 * (redirects, authentication rounds, 1xx) libcurl's Curl_bump_headersize
 * allows twenty times that (CVE-2023-38039).
 */
export function addHeaderBytes(t: Transfer, n: number): CURLcode {
  t.headerSize += n;
  const max = MAX_HTTP_RESP_HEADER_SIZE * 20;
  if (t.headerSize <= max) return CURLE.OK;
  t.fail(CURLE.RECV_ERROR, `Too large response headers: ${t.headerSize} > ${max}`);
  return CURLE.RECV_ERROR;
}

/** A Location on a 3xx: remember where it points; follow it when asked to. */
export function onLocation(t: Transfer, value: string): void {
  const loc = value.trim();
  if (!loc || !t.url) return;
  t.redirectUrl = resolveLocationHref(t.url, loc);
  // followed even when it does not parse: Curl_follow then fails with libcurl's code (URL_MALFORMAT)
  if (t.opts.num(CURLOPT.FOLLOWLOCATION)) t.followLocation = loc;
}

