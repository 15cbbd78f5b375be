// A request that sends a few bytes and then takes everything the server
// sends until it closes the connection as the body: what libcurl's DICT and
// GOPHER do (they write their request in do_it, then
// Curl_setup_transfer(data, FIRSTSOCKET, -1, FALSE, -1): no upload, a body of
// unknown size that ends with the connection).
//
// Theory of operation. start() queues the request bytes (traced as the
// protocol does: DICT as DATA_OUT, GOPHER not at all). step()
// first sends what the socket takes, then reads a bounded number of times,
// tracing DATA_IN and handing each piece to the client writers as BODY. EOF
// ends the request well; a reset is CURLE_RECV_ERROR ("Recv failure: ...").
// A write callback that pauses stops the reading until resume(). The
// connection is never reused: the server closed it.
import { CURLE, type CURLcode } from '../codes.js';
import { CURL_POLL, CURLINFO_TYPE, CURLPAUSE } from '../constants.js';
import type { Connection } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';
import { CLIENTWRITE, PAUSED } from '../cw/client-write.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { traceData } from '../util/trace.js';
import { nowMs } from '../util/clock.js';
import type { ProtocolRequest } from './handler.js';
import { MeteredRecv } from './metered-recv.js';

/** Reads one step() makes at most before other transfers get their turn. */
const MAX_READS_PER_STEP = 32;

export interface SendThenReadSpec {
  /**
   * The request bytes, sent once, made in DO (libcurl's do_it, after the
   * connection is made); a CURLcode ends the transfer with it.
   */
  request: () => Buffer | CURLcode;
  /** how the request is traced (DICT: CURLINFO_TYPE.DATA_OUT), or null: not at all (GOPHER's Curl_write) */
  traceType: number | null;
  /** the message when sending fails (libcurl's "Failed sending DICT request") */
  sendFailure: string;
}

export class SendThenReadRequest implements ProtocolRequest {
  readonly #t: Transfer;
  readonly #conn: Connection;
  readonly #guard: CallbackGuard;
  readonly #spec: SendThenReadSpec;
  #out: Buffer | null = null;
  #done = false;
  readonly #in: MeteredRecv;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard, spec: SendThenReadSpec) {
    this.#t = t;
    this.#conn = conn;
    this.#guard = guard;
    this.#spec = spec;
    this.#in = new MeteredRecv(t);
  }

  start(): CURLcode {
    const req = this.#spec.request();
    if (typeof req === 'number') return req;
    this.#out = req.length > 0 ? req : null;
    return CURLE.OK;
  }

  step(): CURLcode {
    const t = this.#t;
    const transport = this.#conn.transport;
    if (!transport) return CURLE.SEND_ERROR;
    if (this.#out !== null) {
      if (transport.writeBlocked) return CURLE.OK;
      const r = transport.send(this.#out);
      if (!r.ok) {
        t.fail(CURLE.SEND_ERROR, this.#spec.sendFailure);
        return CURLE.SEND_ERROR;
      }
      if (this.#spec.traceType !== null) traceData(this.#guard, t, this.#spec.traceType, this.#out);
      this.#out = null;
      t.timing.posttransfer ||= nowMs();
    }
    for (let i = 0; i < MAX_READS_PER_STEP && !this.#done; i++) {
      if (t.pauseBits & CURLPAUSE.RECV) break;
      const data = this.#in.read(transport);
      if (data === 'wait') break;
      if (data === 'eof') {
        this.#done = true;
        break;
      }
      if ('failure' in data) {
        t.fail(CURLE.RECV_ERROR, data.failure);
        return CURLE.RECV_ERROR;
      }
      traceData(this.#guard, t, CURLINFO_TYPE.DATA_IN, data);
      const c = t.writers.write(CLIENTWRITE.BODY, data);
      if (c === PAUSED) break;
      if (c !== CURLE.OK) return c;
    }
    return CURLE.OK;
  }

  get done(): boolean {
    return this.#done;
  }

  get reusable(): boolean {
    return false;
  }

  pollWhat(): number {
    if (this.#done) return 0;
    if (this.#out !== null) return CURL_POLL.OUT;
    return this.#t.pauseBits & CURLPAUSE.RECV ? 0 : CURL_POLL.IN;
  }

  get wakeAt(): number | null {
    return null;
  }

  retainReceived(): void {
    // every byte read went to the client writers, which copy what they hold
  }

  resume(): CURLcode {
    return CURLE.OK;
  }

  get receivedAnything(): boolean {
    return this.#in.gotBytes;
  }
}
