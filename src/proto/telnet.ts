// The TELNET protocol handler (telnet://), after libcurl 7.88's telnet.c:
// what the server sends (with the telnet commands taken out) is the body,
// what the application's read callback (CURLOPT_READFUNCTION/READDATA, the
// tool's -T) gives is sent to the server, until the server closes the
// connection.
//
// Theory of operation. start() checks CURLOPT_TELNETOPTIONS (and the user
// name, sent as the USER variable) into settings for the negotiation
// (telnet-options.ts), whose state machine (telnet-negotiation.ts) turns
// received bytes into body data and answers. step() sends what is queued,
// reads from the socket (bounded), then reads the application's input while
// the socket takes more. libcurl's telnet_do is one blocking loop that polls
// the socket and calls the read callback every 100 ms; here the same work is
// split into non-blocking steps: input is read whenever the socket can take
// it, and a read callback answering CURL_READFUNC_PAUSE stops input until
// easy.pause() (a Readable READDATA resumes it by itself).
//
// As in 7.88: input that ends (the callback returns 0) does not end the
// session, the server's close does; CURL_READFUNC_ABORT ends it with
// CURLE_OK; the connection is never reused. Unlike 7.88, with neither
// READFUNCTION nor READDATA set no input is read (7.88 reads stdin then;
// a blocking read of a terminal has no place in a non-blocking library).
import { CURLE, type CURLcode } from '../codes.js';
import { CURL_POLL, CURLPAUSE, CURLPROTO } from '../constants.js';
import { CURLOPT } from '../easy/option-table.js';
import type { Connection } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';
import { CallbackReader } from '../cr/callback-reader.js';
import type { ReadCallback } from '../easy/callbacks.js';
import { CLIENTWRITE, PAUSED } from '../cw/client-write.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { traceEnabled, traceText } from '../util/trace.js';
import type { ProtocolHandler, ProtocolRequest } from './handler.js';
import { MeteredRecv } from './metered-recv.js';
import { telnetSettings } from './telnet-options.js';
import { TelnetNegotiation } from './telnet-negotiation.js';
import { optionCredentials } from './redirect.js';
import { uploadSource } from './upload-source.js';

const MAX_READS_PER_STEP = 32;
const MAX_INPUT_READS_PER_STEP = 16;

class TelnetRequest implements ProtocolRequest {
  readonly #t: Transfer;
  readonly #conn: Connection;
  readonly #guard: CallbackGuard;
  #neg: TelnetNegotiation | null = null;
  #out: Buffer[] = [];
  #input: CallbackReader | null = null;
  #inputDone = true;
  #done = false;
  readonly #in: MeteredRecv;
  /** the first error a body write returned inside receive() */
  #writeError: CURLcode = CURLE.OK;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard) {
    this.#t = t;
    this.#in = new MeteredRecv(t);
    this.#conn = conn;
    this.#guard = guard;
  }

  start(): CURLcode {
    const t = this.#t;
    const user = optionCredentials(t).username ?? t.url?.user ?? null;
    const r = telnetSettings((t.opts.get(CURLOPT.TELNETOPTIONS) as string[] | null) ?? [], user);
    if (!r.ok) {
      t.fail(r.code, r.message);
      return r.code;
    }
    const verbose = traceEnabled(t);
    this.#neg = new TelnetNegotiation(r.settings, {
      send: (b) => this.#out.push(b),
      data: (b) => this.#deliver(b),
      info: verbose ? (line) => traceText(this.#guard, t, line) : null,
    });
    const o = t.opts;
    const read = o.get(CURLOPT.READFUNCTION) as ReadCallback | null;
    const readData = o.get(CURLOPT.READDATA);
    if (read !== null || readData !== null) {
      this.#input = uploadSource(t, this.#guard);
      this.#input.start(-1);
      this.#inputDone = false;
    }
    return CURLE.OK;
  }

  #deliver(b: Buffer): void {
    if (this.#writeError !== CURLE.OK) return;
    const c = this.#t.writers.write(CLIENTWRITE.BODY, b);
    // PAUSED: the writers hold this piece and what follows; reading stops below
    if (c !== CURLE.OK && c !== PAUSED) this.#writeError = c;
  }

  step(): CURLcode {
    const transport = this.#conn.transport;
    if (!transport) return CURLE.SEND_ERROR;
    const t = this.#t;
    let c = this.#flush();
    if (c !== CURLE.OK) return c;
    for (let i = 0; i < MAX_READS_PER_STEP && !this.#done; i++) {
      if (t.pauseBits & CURLPAUSE.RECV) break;
      const data = this.#in.read(transport);
      if (data === 'wait') break;
      if (data === 'eof') {
        // the server closed: the session is over (telnet_do's "nread <= 0")
        this.#done = true;
        break;
      }
      if ('failure' in data) {
        t.fail(CURLE.RECV_ERROR, data.failure);
        return CURLE.RECV_ERROR;
      }
      this.#neg!.receive(data);
      if (this.#writeError !== CURLE.OK) return this.#writeError;
    }
    if (this.#done) return CURLE.OK;
    c = this.#flush();
    if (c !== CURLE.OK) return c;
    return this.#readInput();
  }

  /** Send the queued bytes (negotiation answers and input). */
  #flush(): CURLcode {
    const transport = this.#conn.transport!;
    while (this.#out.length > 0) {
      const r = transport.send(this.#out.shift()!);
      if (!r.ok) {
        this.#t.fail(CURLE.SEND_ERROR, `Send failure: ${r.error.message}`);
        return CURLE.SEND_ERROR;
      }
    }
    return CURLE.OK;
  }

  /** The application's input while the socket takes it. */
  #readInput(): CURLcode {
    const t = this.#t;
    const transport = this.#conn.transport!;
    for (let i = 0; i < MAX_INPUT_READS_PER_STEP && !this.#inputDone; i++) {
      if (t.pauseBits & CURLPAUSE.SEND || transport.writeBlocked) break;
      const r = this.#input!.read(t.opts.num(CURLOPT.BUFFERSIZE));
      if (r.kind === 'pause') {
        t.pauseBits |= CURLPAUSE.SEND;
        break;
      }
      if (r.kind === 'error') {
        if (r.code === CURLE.ABORTED_BY_CALLBACK) {
          // CURL_READFUNC_ABORT ends telnet_do's loop with its result still CURLE_OK
          this.#done = true;
          return CURLE.OK;
        }
        t.fail(r.code, r.message);
        return r.code;
      }
      if (r.kind === 'eos') {
        this.#inputDone = true;
        break;
      }
      if (r.data.length > 0) {
        const sent = transport.send(this.#neg!.encodeData(Buffer.from(r.data)));
        if (!sent.ok) {
          t.fail(CURLE.SEND_ERROR, `Send failure: ${sent.error.message}`);
          return CURLE.SEND_ERROR;
        }
        t.sizeUpload += r.data.length;
      }
      if (r.eos) this.#inputDone = true;
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
    const t = this.#t;
    let what = t.pauseBits & CURLPAUSE.RECV ? 0 : CURL_POLL.IN;
    if (this.#out.length > 0 || (!this.#inputDone && !(t.pauseBits & CURLPAUSE.SEND))) what |= CURL_POLL.OUT;
    return what;
  }

  get wakeAt(): number | null {
    return null;
  }

  retainReceived(): void {
    // received bytes went to the writers (which copy what they hold) or into the negotiation's own arrays
  }

  resume(): CURLcode {
    return CURLE.OK;
  }

  get receivedAnything(): boolean {
    return this.#in.gotBytes;
  }
}

export const TELNET_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'telnet',
  defaultPort: 23,
  protocol: CURLPROTO.TELNET,
  flags: 0,
  alpn: [],
  request: (t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest => new TelnetRequest(t, conn, guard),
});
