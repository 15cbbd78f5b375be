// The request object IMAP, POP3 and SMTP share (libcurl's imap/pop3/smtp
// statemach around pingpong): it reads the server's responses through the
// connection's pingpong and hands each to the protocol's state machine, drives
// a STARTTLS upgrade, and moves the bodies that do not come as response lines:
// a download of a known size (IMAP's literal), a download ended by a lone "."
// line (POP3's multi-line replies), and an upload (SMTP's DATA, IMAP's APPEND).
//
// Theory of operation. start() finds or makes the connection's MailSession;
// a fresh one waits for the greeting and runs the protocol's connect phase
// (capabilities, STARTTLS, login) before its command, a reused one (after a
// transfer that ended its dialogue cleanly) goes straight to the command.
// step() loops, bounded, over the phase: 'cmd' reads one response per pass and
// calls onResponse(); 'tls' steps the handshake; 'body'/'upload' move bytes
// until their end, then give the protocol afterBody()/afterUpload(). The
// protocol ends the request with complete() or fails it with fail().
import { connectTimeoutMs } from '../../multi/state-common.js';
import { CURLE, type CURLcode } from '../../codes.js';
import { CURL_POLL, CURLINFO_TYPE, CURLPAUSE } from '../../constants.js';
import { CURLOPT } from '../../easy/option-table.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import type { ProtocolRequest } from '../handler.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import { CLIENTWRITE, PAUSED } from '../../cw/client-write.js';
import { traceData, traceText } from '../../util/trace.js';
import { nowMs } from '../../util/clock.js';
import type { ClientReader } from '../../cr/client-reader.js';
import type { PingPongOptions } from '../pingpong.js';
import { CURLUSESSL, newSession, rebind, sessionOf, startTlsParams, useSsl, type MailSession } from './mail-common.js';
import { DotBodyDecoder } from './dot-body.js';

type Phase = 'cmd' | 'tls' | 'body' | 'upload' | 'done';

/** At most this many responses or body reads per step, so one busy connection cannot starve the others. */
const MAX_PASSES = 64;

export abstract class MailRequest implements ProtocolRequest {
  protected readonly t: Transfer;
  protected readonly conn: Connection;
  protected readonly guard: CallbackGuard;
  protected session!: MailSession;
  #phase: Phase = 'cmd';
  #receivedAnything = false;
  /** body download: bytes left of a literal, or the dot-terminated decoder */
  #literalLeft = 0;
  #dot: DotBodyDecoder | null = null;
  #recvPaused = false;
  #discard = false;
  /** upload: the reader and what is queued for the socket */
  #reader: ClientReader | null = null;
  /** body bytes sent, after the transform (libcurl's writebytecount) */
  #sent = 0;
  #transform: ((b: Buffer) => Buffer) | null = null;
  #trailer: (() => Buffer) | null = null;
  #reusable = false;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard) {
    this.t = t;
    this.conn = conn;
    this.guard = guard;
  }

  /** the protocol's end-of-response test for the pingpong */
  protected abstract endOfResponse: PingPongOptions['endOfResponse'];
  /** the connection speaks TLS from the start (imaps, pop3s, smtps) */
  protected abstract implicitTls: boolean;
  /** A fresh connection: the protocol waits for its greeting (its first response). */
  protected abstract connect(): CURLcode;
  /** The session is ready (logged in): send the transfer's command. */
  protected abstract perform(): CURLcode;
  /** One complete response (each line with its CRLF). */
  protected abstract onResponse(code: number, lines: Buffer[]): CURLcode;
  /** The STARTTLS upgrade finished: the protocol goes on (asks for capabilities again). */
  protected afterTls(): CURLcode {
    return CURLE.OK;
  }
  /** A body download ended (its bytes delivered); responses may follow. */
  protected afterBody(): CURLcode {
    return CURLE.OK;
  }
  /** An upload was sent in full (its trailer too). */
  protected afterUpload(): CURLcode {
    return CURLE.OK;
  }

  start(): CURLcode {
    const existing = sessionOf(this.conn);
    if (existing && existing.ready) {
      this.session = existing;
      rebind(existing, this.t, this.guard, (l) => this.endOfResponse(l));
      return this.perform();
    }
    this.session = newSession(this.t, this.conn, this.guard, (l) => this.endOfResponse(l), this.implicitTls);
    return this.connect();
  }

  // ---- what the protocols call ------------------------------------------------

  protected info(text: string): void {
    traceText(this.guard, this.t, text);
  }

  protected send(cmd: string, shown?: string): CURLcode {
    const r = this.session.pp.send(cmd, nowMs(), shown);
    if (r) return this.fail(r.code, r.message);
    return CURLE.OK;
  }

  /**
   * Fail the transfer (failf + the code); the connection is not kept. A
   * server's refusal leaves the session able to say goodbye when it closes
   * (libcurl's DO-phase failures); a `dead` one (the socket failed, the server
   * broke the protocol, a body was cut) does not.
   */
  protected fail(code: CURLcode, message = '', dead = false): CURLcode {
    if (dead) this.conn.farewell = null;
    if (message) this.t.fail(code, message);
    this.#phase = 'done';
    this.#reusable = false;
    return code;
  }

  /**
   * The connect phase is over (logged in): the connection can serve the next
   * transfer directly, and says `farewell` (QUIT, LOGOUT) when it closes.
   */
  protected connected(farewell: (s: MailSession) => string): void {
    const s = this.session;
    s.ready = true;
    const tr = this.conn.transport!;
    this.conn.farewell = () => {
      tr.send(Buffer.from(farewell(s) + '\r\n', 'latin1'));
      // libcurl reads the answer before it closes (its *_quit/logout block for it): the socket waits for it
      tr.lingerOnClose(s.pp.responseTimeoutMs);
    };
  }

  /** The transfer is over; the connection's dialogue ended cleanly. */
  protected complete(reusable: boolean): CURLcode {
    this.#phase = 'done';
    this.#reusable = reusable;
    return CURLE.OK;
  }

  /**
   * The server's answer to STARTTLS/STLS: a go-ahead upgrades to TLS now; a refusal fails with
   * `denied` unless USE_SSL is only TRY, when `cleartext()` goes on without TLS. Either answer must
   * be all the server sent: bytes behind it would be taken as the next answers (CVE-2021-22947).
   */
  protected startTlsAnswered(accepted: boolean, denied: string, cleartext: () => CURLcode): CURLcode {
    if (this.session.pp.buffered > 0) {
      this.fail(CURLE.WEIRD_SERVER_REPLY, '', true);
      return CURLE.WEIRD_SERVER_REPLY;
    }
    if (!accepted) return useSsl(this.t) !== CURLUSESSL.TRY ? this.fail(CURLE.USE_SSL_FAILED, denied) : cleartext();
    const r = this.session.pp.startTls(startTlsParams(this.t, (text) => this.info(text)), this.t.timing.start + connectTimeoutMs(this.t));
    if (r) return this.fail(r.code, r.message);
    this.#phase = 'tls';
    return CURLE.OK;
  }

  /** Receive a body of exactly `size` bytes (IMAP's literal) to the application (or nowhere: NOBODY). */
  protected beginLiteral(size: number, discard = false): void {
    this.#literalLeft = size;
    this.#discard = discard;
    this.#dot = null;
    this.#phase = 'body';
  }

  /** Receive a body that ends with a "." line (POP3), dot-stuffing removed. */
  protected beginDotBody(): void {
    this.#dot = new DotBodyDecoder();
    this.#literalLeft = 0;
    this.#discard = false;
    this.#phase = 'body';
  }

  /**
   * Send a body: `transform` rewrites each piece (CRLF conversion, dot-stuffing),
   * `trailer` gives the bytes that end it (SMTP's ".\r\n").
   */
  protected beginUpload(reader: ClientReader, transform: ((b: Buffer) => Buffer) | null, trailer: (() => Buffer) | null): void {
    this.#reader = reader;
    this.#sent = 0;
    this.#transform = transform;
    this.#trailer = trailer;
    this.#phase = 'upload';
  }

  /** Back to reading responses (after a body, or after a command sent outside onResponse). */
  protected expectResponse(): void {
    this.#phase = 'cmd';
  }

  // ---- the engine's side ----------------------------------------------------------

  step(): CURLcode {
    // bounded: each pass handles one response or one piece of a body
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      switch (this.#phase) {
        case 'done':
          return CURLE.OK;
        case 'tls': {
          const s = this.session.pp.tlsStep(nowMs());
          if (s.kind === 'pending') return CURLE.OK;
          if (s.kind === 'failed') return this.fail(s.code, s.message, true);
          this.session.tls = true;
          this.conn.tlsFacts = this.session.pp.tlsQuery('tls') ?? this.conn.tlsFacts;
          this.#phase = 'cmd';
          const c = this.afterTls();
          if (c !== CURLE.OK) return c;
          continue;
        }
        case 'body': {
          const c = this.#pumpBody();
          if (c !== CURLE.OK) return c;
          if (this.#phase === 'body') return CURLE.OK;
          continue;
        }
        case 'upload': {
          const c = this.#pumpUpload();
          if (c !== CURLE.OK) return c;
          if (this.#phase === 'upload') return CURLE.OK;
          continue;
        }
        case 'cmd': {
          const r = this.session.pp.read(nowMs());
          if (r.kind === 'pending') return CURLE.OK;
          if (r.kind === 'failed') return this.fail(r.code, r.message, true);
          this.#receivedAnything = true;
          const c = this.onResponse(r.code, r.lines);
          if (c !== CURLE.OK) return this.done ? c : this.fail(c);
          continue;
        }
      }
    }
    return CURLE.OK;
  }

  /** Body bytes from what the pingpong holds, then from the socket. */
  #pumpBody(): CURLcode {
    if (this.#recvPaused) return CURLE.OK;
    const tr = this.conn.transport!;
    // bounded by MAX_PASSES reads
    for (let i = 0; i < MAX_PASSES; i++) {
      let data = this.session.pp.takeLeftover();
      // bytes that came with the response line (libcurl's pingpong cache) are written without a trace
      const cached = data !== null;
      if (data === null) {
        const r = tr.recv();
        if (r.kind === 'again') return CURLE.OK;
        if (r.kind === 'eof') return this.fail(CURLE.PARTIAL_FILE, 'Received only partial file', true);
        if (r.kind === 'error') return this.fail(CURLE.RECV_ERROR, `Recv failure: ${r.error.message}`, true);
        data = r.data;
      }
      this.#receivedAnything = true;
      let body: Buffer;
      let rest: Buffer | null = null;
      let ended = false;
      if (this.#dot) {
        const d = this.#dot.feed(data);
        body = d.body;
        rest = d.rest;
        ended = d.ended;
      } else {
        const n = Math.min(this.#literalLeft, data.length);
        body = data.subarray(0, n);
        rest = n < data.length ? data.subarray(n) : null;
        this.#literalLeft -= n;
        ended = this.#literalLeft === 0;
      }
      // what follows the body is the next response: back to the socket's queue for the pingpong
      if (rest && rest.length) tr.unrecv(rest);
      if (body.length && !this.#discard) {
        if (!cached) traceData(this.guard, this.t, CURLINFO_TYPE.DATA_IN, body);
        // IMAP's imap_state_fetch_resp says what it wrote from the cache
        else if (!this.#dot) this.info(`Written ${body.length} bytes, ${this.#literalLeft} bytes are left for transfer`);
        const c = this.t.writers.write(CLIENTWRITE.BODY, body);
        if (c === PAUSED) this.#recvPaused = true;
        else if (c !== CURLE.OK) return this.fail(c, '', true);
      }
      if (ended) {
        this.#phase = 'cmd';
        return this.afterBody();
      }
      if (this.#recvPaused) return CURLE.OK;
    }
    return CURLE.OK;
  }

  #pumpUpload(): CURLcode {
    const tr = this.conn.transport!;
    const max = this.t.opts.num(CURLOPT.UPLOAD_BUFFERSIZE) || 65536;
    // bounded by MAX_PASSES reads
    for (let i = 0; i < MAX_PASSES && !tr.writeBlocked && !(this.t.pauseBits & CURLPAUSE.SEND); i++) {
      const r = this.#reader!.read(max);
      if (r.kind === 'pause') {
        // CURL_READFUNC_PAUSE pauses sending until the application unpauses it (libcurl's KEEP_SEND_PAUSE)
        this.t.pauseBits |= CURLPAUSE.SEND;
        return CURLE.OK;
      }
      if (r.kind === 'error') return this.fail(r.code, r.message, true);
      if (r.kind === 'data' && r.data.length) {
        this.t.sizeUpload += r.data.length;
        const out = this.#transform ? this.#transform(r.data) : r.data;
        traceData(this.guard, this.t, CURLINFO_TYPE.DATA_OUT, out);
        const s = tr.send(out);
        if (!s.ok) return this.fail(CURLE.SEND_ERROR, `Send failure: ${s.error.message}`, true);
        this.#sent += out.length;
      }
      if (r.kind === 'eos' || (r.kind === 'data' && r.eos)) {
        // libcurl's readwrite_upload says so once the bytes sent reach the body's known size: a body
        // that dot-stuffing or CRLF conversion made longer misses it, as there
        const size = this.t.uploadLength;
        if (size >= 0 && this.#sent === size) this.info('We are completely uploaded and fine');
        const tail = this.#trailer ? this.#trailer() : null;
        if (tail && tail.length) {
          const s = tr.send(tail);
          if (!s.ok) return this.fail(CURLE.SEND_ERROR, `Send failure: ${s.error.message}`, true);
        }
        this.#reader = null;
        this.#phase = 'cmd';
        this.session.pp.restartClock(nowMs());
        return this.afterUpload();
      }
    }
    return CURLE.OK;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  get reusable(): boolean {
    return this.#reusable;
  }

  pollWhat(): number {
    switch (this.#phase) {
      case 'done': return 0;
      case 'body': return this.#recvPaused || (this.t.pauseBits & CURLPAUSE.RECV) ? 0 : CURL_POLL.IN;
      case 'upload': return this.t.pauseBits & CURLPAUSE.SEND ? 0 : CURL_POLL.OUT;
      default: return this.session.pp.pollWhat();
    }
  }

  get wakeAt(): number | null {
    // the response timeout (SERVER_RESPONSE_TIMEOUT)
    return this.#phase === 'cmd' || this.#phase === 'tls' ? this.session.pp.deadline() : null;
  }

  retainReceived(): void {
    // the pingpong copies what it keeps; body bytes went to the writers at once
  }

  resume(): CURLcode {
    this.#recvPaused = false;
    return this.step();
  }

  /** the protocol's connect phase: greeting, capabilities, STARTTLS, login */
  get loggingIn(): boolean {
    return this.session !== undefined && !this.session.ready;
  }

  get receivedAnything(): boolean {
    return this.#receivedAnything;
  }

  /** The engine drops the request: one that did not finish leaves the session in no state for a goodbye. */
  abort(): void {
    if (this.#phase !== 'done') this.conn.farewell = null;
  }
}
