// The WebSocket protocol handlers (ws://, wss://; libcurl 8's API): an HTTP/1.1
// request asking to upgrade, then RFC 6455 frames on the same connection.
//
// Theory of operation. A WsRequest first runs an HttpExchange with the
// upgrade's header lines added (src/ws/handshake.ts). A redirect or an
// authentication retry on that response is left to the engine, as for any
// HTTP response; anything else but a good 101 fails the transfer. After the
// 101 a WsSession (src/ws/ws-session.ts) takes the connection, starting with
// the bytes that came with the 101. Then either
//  - CONNECT_ONLY=2: the transfer ends there and the handle keeps the
//    connection for easy.wsSend()/wsRecv(), or
//  - the frames' payload goes to the write callback piece by piece while
//    easy.wsMeta() describes the piece, until the server closes.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURL_POLL, CURLH, CURLPAUSE, CURLPROTO } from '../constants.js';
import { internalsOf } from '../easy/internals.js';
import type { Connection } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';
import { HttpExchange } from './http.js';
import { CLIENTWRITE, PAUSED } from '../cw/client-write.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from './handler.js';
import { httpState } from './http-state.js';
import { HTTP_FAMILY_HOOKS } from './http-handler.js';
import { tokenList, trimOws } from '../http1/header-fields.js';
import { customHeaders } from '../http1/custom-headers.js';
import { newWebSocketKey, upgradeRequestLines, UpgradeResponseCheck } from '../ws/handshake.js';
import { WsSession } from '../ws/ws-session.js';
import type { WsFrameMeta } from '../ws/ws-flags.js';

type Phase = 'upgrade' | 'frames' | 'done';

/** The response headers of the transfer's last request, as the header API has them. */
function lastResponseHeaders(t: Transfer): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  // bounded by the headers stored
  // a 101's headers are CURLH_1XX to the header API, as in libcurl
  const origin = CURLH.HEADER | CURLH['1XX'];
  for (let h = t.headerStore.nextheader(origin, -1, null); h; h = t.headerStore.nextheader(origin, -1, h)) {
    out.push([h.name, h.value]);
  }
  return out;
}

class WsRequest implements ProtocolRequest {
  readonly #t: Transfer;
  readonly #conn: Connection;
  readonly #key: string;
  readonly #http: HttpExchange;
  #phase: Phase = 'upgrade';
  #session: WsSession | null = null;
  #keepConnection = false;
  /** delivers one piece of payload to the client writers (made once, not per piece) */
  readonly #deliver = (data: Buffer, _meta: WsFrameMeta | null): number | 'pause' => {
    const c = this.#t.writers.write(CLIENTWRITE.BODY, data);
    return c === PAUSED ? 'pause' : c;
  };

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard) {
    this.#t = t;
    this.#conn = conn;
    // an application that sets its own Sec-WebSocket-Key gets the answer checked against it
    this.#key = userKey(t) ?? newWebSocketKey();
    this.#http = new HttpExchange(t, conn, guard, (userHas) => upgradeRequestLines(this.#key, userHas));
  }

  start(): CURLcode {
    return this.#http.start();
  }

  step(): CURLcode {
    if (this.#phase === 'upgrade') {
      const c = this.#http.step();
      if (c !== CURLE.OK) return c;
      if (!this.#http.done) return CURLE.OK;
      const t = this.#t;
      if (t.followLocation !== null || t.retryRequest) {
        // a redirect or an authentication round: the engine asks again
        this.#phase = 'done';
        return CURLE.OK;
      }
      const verdict = this.#verdict();
      if (verdict !== CURLE.OK) return verdict;
      const i = internalsOf(t.easy);
      this.#session = new WsSession(this.#conn.transport!, {
        wsOptions: t.opts.num(CURLOPT.WS_OPTIONS),
        initial: this.#http.takeLeftover(),
      });
      if (i) i.ws = this.#session;
      if (t.opts.num(CURLOPT.CONNECT_ONLY) === 2) {
        // the handle keeps the upgraded connection for wsSend()/wsRecv()
        this.#conn.connectOnly = true;
        this.#keepConnection = true;
        this.#phase = 'done';
        return CURLE.OK;
      }
      this.#phase = 'frames';
    }
    if (this.#phase === 'frames') return this.#pump();
    return CURLE.OK;
  }

  /** The 101 and its headers, checked (libcurl: "Refused WebSocket upgrade"). */
  #verdict(): CURLcode {
    const t = this.#t;
    // what the application offered in its own headers may be agreed to
    const check = new UpgradeResponseCheck(this.#key, {
      requestedProtocols: userHeaderValues(t, 'sec-websocket-protocol').flatMap(tokenList),
      requestedExtensions: userHeaderValues(t, 'sec-websocket-extensions').flatMap(tokenList),
    });
    let r = check.status(httpState(t).httpVersion, t.responseCode);
    if (r === null) {
      for (const [n, v] of lastResponseHeaders(t)) check.header(n, v);
      const f = check.finish();
      if (f.ok) return CURLE.OK;
      r = f;
    }
    t.fail(r.code, r.message);
    return r.code;
  }

  #pump(): CURLcode {
    if (this.#t.pauseBits & CURLPAUSE.RECV) return CURLE.OK;
    const r = this.#session!.pump(this.#deliver);
    switch (r.kind) {
      case 'again':
      case 'paused':
        return CURLE.OK;
      case 'eof':
        this.#phase = 'done';
        return CURLE.OK;
      case 'error':
        if (r.message) this.#t.fail(r.code, r.message);
        return r.code;
    }
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  get reusable(): boolean {
    // an upgraded connection never carries HTTP again; a redirect's may
    return this.#keepConnection || (this.#session === null && this.#http.reusable);
  }

  pollWhat(): number {
    switch (this.#phase) {
      case 'upgrade': return this.#http.pollWhat();
      case 'frames': return this.#t.pauseBits & CURLPAUSE.RECV ? 0 : CURL_POLL.IN;
      case 'done': return 0;
    }
  }

  get wakeAt(): number | null {
    return this.#phase === 'upgrade' ? this.#http.wakeAt : null;
  }

  retainReceived(): void {
    // the session copies what it keeps when the transport lends its memory
    if (this.#phase === 'upgrade') this.#http.retainReceived();
  }

  resume(): CURLcode {
    return this.#phase === 'upgrade' ? this.#http.resume() : CURLE.OK;
  }

  get receivedAnything(): boolean {
    return this.#http.receivedAnything;
  }
}

/** The values the application's HTTPHEADER lines named `lowerName` send (customHeaders(): libcurl's reading), in order. */
function userHeaderValues(t: Transfer, lowerName: string): string[] {
  const out: string[] = [];
  for (const h of customHeaders(t.opts.get(CURLOPT.HTTPHEADER) as string[] | null)) {
    if (h.line !== null && h.name.toLowerCase() === lowerName) out.push(trimOws(h.line.slice(h.line.indexOf(':') + 1)));
  }
  return out;
}

/** The Sec-WebSocket-Key value among the application's HTTPHEADER lines. */
function userKey(t: Transfer): string | null {
  return userHeaderValues(t, 'sec-websocket-key')[0] ?? null;
}

const wsRequest: ProtocolHandler['request'] = (t, conn, guard): ProtocolRequest => new WsRequest(t, conn, guard);

export const WS_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'ws',
  defaultPort: 80,
  protocol: CURLPROTO.WS,
  flags: 0,
  alpn: [],
  upgradeConnectOnly: true,
  request: wsRequest,
  // the upgrade is an HTTP request: HTTP's per-transfer state, redirects and authentication
  ...HTTP_FAMILY_HOOKS,
});

export const WSS_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'wss',
  defaultPort: 443,
  protocol: CURLPROTO.WSS,
  flags: PROTOPT.SSL,
  alpn: ['http/1.1'],
  upgradeConnectOnly: true,
  request: wsRequest,
  // the upgrade is an HTTP request: HTTP's per-transfer state, redirects and authentication
  ...HTTP_FAMILY_HOOKS,
});
