// HTTP/2 server push (CURLMOPT_PUSHFUNCTION / PUSHDATA), as libcurl 7.88's
// push_promise(): each PUSH_PROMISE the server sends on a transfer's stream
// is offered to the application, inside a library call, while that transfer
// runs. The callback gets the parent handle, a new handle duplicated from it
// (curl_easy_duphandle, its URL made from the promise's :scheme, :authority
// and :path), the number of promise headers and an accessor for them
// (curl_pushheader_bynum / byname, usable only during the callback).
// CURL_PUSH_OK: the new handle joins the multi as a transfer whose response
// is the pushed stream (libcurl's Curl_multi_add_perform: no request is sent;
// it completes like any transfer, with its DONE message). CURL_PUSH_DENY, or
// a throw: the stream is reset (RST_STREAM CANCEL) and the handle discarded.
// CURL_PUSH_ERROROUT: the connection fails as well.
import { CURLOPT } from '../easy/option-table.js';
import { CURL_PUSH_DENY, CURL_PUSH_ERROROUT, CURL_PUSH_OK } from '../constants.js';
import { internalsOf } from '../easy/internals.js';
import type { Easy } from '../easy/easy.js';
import type { Connection } from '../conn/connection.js';
import type { H2Stream, PushAnswer } from '../h2/session.js';
import { Transfer } from './transfer.js';
import type { MultiEngine } from './engine.js';

/** The PUSH_PROMISE's header fields, as libcurl's struct curl_pushheaders. */
export class PushHeaders {
  #list: readonly [string, string][] | null;

  constructor(list: readonly [string, string][]) {
    this.#list = list;
  }

  /** curl_pushheader_bynum: "name:value" of field `num` (from 0), or null (also once the callback returned). */
  bynum(num: number): string | null {
    const f = this.#list?.[num];
    return Number.isInteger(num) && f !== undefined ? `${f[0]}:${f[1]}` : null;
  }

  /**
   * curl_pushheader_byname: the value of the first field named `name`
   * (":path" for a pseudo-header; names are lowercase in HTTP/2), or null.
   * As libcurl, "" and ":" and a name with ':' after its first byte are null.
   */
  byname(name: string): string | null {
    if (this.#list === null || typeof name !== 'string' || name === '' || name === ':' || name.indexOf(':', 1) !== -1) return null;
    for (const [k, v] of this.#list) if (k === name) return v;
    return null;
  }

  /** @internal the callback returned: the accessors answer null from now on */
  invalidate(): void {
    this.#list = null;
  }
}

/** CURLMOPT_PUSHFUNCTION */
export type PushCallback = (parent: Easy, easy: Easy, numHeaders: number, headers: PushHeaders, clientp: unknown) => number;

/** The pushed resource's URL (libcurl's set_transfer_url), or null when the promise lacks what it needs. */
function pushUrl(headers: readonly [string, string][]): string | null {
  const get = (n: string): string | undefined => headers.find(([k]) => k === n)?.[1];
  const scheme = get(':scheme');
  const authority = get(':authority');
  const path = get(':path');
  if (!scheme || !authority || !path || !/^[a-z][a-z0-9+.-]*$/i.test(scheme) || /[\s/?#@]/.test(authority)) return null;
  return `${scheme}://${authority}${path.startsWith('/') ? path : '/' + path}`;
}

/** The promise is for the origin the connection serves (RFC 9113 8.4: a client must not accept one it is not authoritative for). */
function sameOrigin(parent: Transfer, headers: readonly [string, string][]): boolean {
  const url = parent.url!;
  const authority = headers.find(([k]) => k === ':authority')?.[1]?.toLowerCase();
  const host = (url.ipv6 ? `[${url.host}]` : url.host).toLowerCase();
  return authority === `${host}:${url.port}` || (url.port === parent.handler?.defaultPort && authority === host);
}

/** Offer one PUSH_PROMISE received on `parent`'s stream of `conn` to the multi's PUSHFUNCTION. */
export function offerPush(e: MultiEngine, parent: Transfer, conn: Connection, stream: H2Stream, headers: [string, string][]): PushAnswer {
  const fn = e.mux.pushFn as PushCallback | null;
  const url = pushUrl(headers);
  if (fn === null || url === null || !sameOrigin(parent, headers)) return 'deny';
  const easy = parent.easy.duphandle();
  easy.setopt(CURLOPT.URL, url);
  const view = new PushHeaders(headers);
  let rc: number;
  try {
    rc = e.inCallback(() => fn(parent.easy, easy, headers.length, view, e.mux.pushData));
  } catch (thrown) {
    // a throw is a refusal (README "Callbacks that throw"); the parent goes on, the value is kept for it
    parent.callbackError ??= { value: thrown };
    rc = CURL_PUSH_DENY;
  } finally {
    view.invalidate();
  }
  const i = internalsOf(easy);
  if (rc !== CURL_PUSH_OK || !i || i.multi !== null) {
    // refused (or the application added the handle itself, which libcurl forbids): the handle goes
    if (i && i.multi === null) easy.cleanup();
    return rc === CURL_PUSH_ERROROUT ? 'error' : 'deny';
  }
  const t = new Transfer(easy, i.opts, e);
  i.multi = e.handle;
  i.transfer = t;
  t.pushed = { conn, stream };
  e.trace(parent, `Accepted server push of stream ${stream.id} for ${url}`);
  e.add(t);
  return 'ok';
}
