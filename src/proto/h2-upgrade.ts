// An HTTP request that asks to switch to HTTP/2 on cleartext (h2c), as
// libcurl does for CURL_HTTP_VERSION_2_0 on http:// (CLI --http2): the
// HTTP/1.1 request carries "Connection: Upgrade, HTTP2-Settings",
// "Upgrade: h2c" and "HTTP2-Settings" (src/proto/h2-connect.ts writes them,
// on every request of a connection that has not switched, with or without a
// body, as curl 7.88 does). A server that ignores them answers in HTTP/1.1
// and nothing else happens. A "HTTP/1.1 101" ends the HTTP/1.1 exchange as an
// interim response ("Received 101, Switching to HTTP/2"); once the request is
// all sent, the connection gets its HTTP/2 session, whose stream 1 is that
// request, half-closed (local) as nghttp2_session_upgrade2() makes it, and a
// second exchange takes the server's answer on it (the "HTTP/2 200" head and the body) for the same
// transfer. From then on the connection multiplexes like any other HTTP/2
// one: the transfer's later requests and other transfers open streams 3, 5...
import { CURLE, type CURLcode } from '../codes.js';
import { CURLINFO_TYPE } from '../constants.js';
import { traceData } from '../util/trace.js';
import { HttpExchange } from './http.js';
import { h2cPushHook, startH2Session } from './h2-connect.js';
import type { Connection } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';
import type { ProtocolEnv, ProtocolRequest } from './handler.js';

export class H2cUpgrade implements ProtocolRequest {
  readonly #t: Transfer;
  readonly #conn: Connection;
  readonly #env: ProtocolEnv;
  /** the HTTP/1.1 request with the Upgrade headers */
  readonly #h1: HttpExchange;
  /** after the switch: the answer on stream 1 */
  #h2: HttpExchange | null = null;
  /** a 101 to the Upgrade came: the connection switches once the request is all sent */
  #switching = false;

  constructor(t: Transfer, conn: Connection, env: ProtocolEnv) {
    this.#t = t;
    this.#conn = conn;
    this.#env = env;
    this.#h1 = new HttpExchange(t, conn, env);
    this.#h1.switching = () => this.#on101();
  }

  /** The HTTP/1.1 exchange got a 101: curl 7.88 switches whatever its version and headers say (k->upgr101 == UPGR101_H2). */
  #on101(): boolean {
    if (this.#switching) return false;
    this.#switching = true;
    this.#info('Received 101, Switching to HTTP/2');
    return true;
  }

  #info(text: string): void {
    traceData(this.#env, this.#t, CURLINFO_TYPE.TEXT, text + '\n');
  }

  get #now(): HttpExchange {
    return this.#h2 ?? this.#h1;
  }

  start(): CURLcode {
    return this.#h1.start();
  }

  step(): CURLcode {
    if (this.#h2 !== null) return this.#h2.step();
    const c = this.#h1.step();
    if (c !== CURLE.OK || !this.#switching || !this.#h1.done) return c;
    return this.#switch();
  }

  /**
   * The 101 is in and the request all sent: the connection speaks HTTP/2 from
   * here (libcurl's Curl_http2_switched). The bytes that came after the 101
   * go back to the transport, to be the session's first input.
   */
  #switch(): CURLcode {
    const t = this.#t;
    const conn = this.#conn;
    const tr = conn.transport;
    if (tr === null) return CURLE.RECV_ERROR;
    const rest = this.#h1.takeLeftover();
    if (rest.length > 0) this.#info(`Copying HTTP/2 data in stream buffer to connection buffer after upgrade: len=${rest.length}`);
    tr.unrecv(rest);
    const session = startH2Session(t, conn, tr, h2cPushHook(conn), true);
    // stream 1 is the HTTP/1.1 request, half-closed (local), as after nghttp2_session_upgrade2()
    const st = session.upgradeStream(t, t.effectiveMethod === 'HEAD');
    t.pushed = { conn, stream: st, upgraded: true };
    const h2 = new HttpExchange(t, conn, this.#env);
    this.#h2 = h2;
    const c = h2.start();
    if (c !== CURLE.OK) return c;
    this.#env.connectionMultiplexes(t, conn);
    return h2.step();
  }

  get done(): boolean {
    return this.#h2 !== null ? this.#h2.done : !this.#switching && this.#h1.done;
  }

  get reusable(): boolean {
    return this.#now.reusable;
  }

  pollWhat(): number {
    return this.#now.pollWhat();
  }

  get wakeAt(): number | null {
    return this.#now.wakeAt;
  }

  retainReceived(): void {
    this.#now.retainReceived();
  }

  resume(): CURLcode {
    return this.#now.resume();
  }

  get receivedAnything(): boolean {
    return this.#h1.receivedAnything;
  }

  abort(): void {
    this.#h2?.abort();
    this.#h1.abort();
  }
}
