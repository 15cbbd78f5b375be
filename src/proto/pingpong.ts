// The pingpong layer (libcurl's lib/pingpong.c): the command/response
// exchange FTP, IMAP, POP3 and SMTP share on their control connection.
// A protocol sends one command line and reads the server's answer, which
// may span several lines; the protocol says which line ends a response
// (FTP's "227 " after "227-" lines, IMAP's tagged line, POP3's "+OK").
//
// Theory of operation. PingPong owns no socket: it reads from and writes to
// the connection's StreamTransport, only when the protocol's state machine
// calls it (from inside the engine's run, DESIGN.md §7.1), and never blocks.
//  - send(cmd) queues "cmd\r\n" on the transport, traces it as a sent
//    header (CURLINFO_HEADER_OUT) and starts the response clock.
//  - read(now) takes what the transport has, splits it into lines, hands
//    each complete line to the host as it arrives (libcurl writes server
//    response lines to the trace and to the header callback), and returns
//    the response once the protocol's endOfResponse() recognizes its last
//    line; bytes after that line stay for the next read() (servers send
//    "150 ..." and "226 ..." in one packet).
//  - A hostile server cannot make it hold unbounded memory or loop forever:
//    a line longer than maxLineBytes, a response of more than maxLines lines
//    or of more than maxResponseBytes bytes fails with
//    CURLE_WEIRD_SERVER_REPLY, as does a line with a NUL byte where the
//    protocol says so (rejectNul: FTP); a response that does not come within
//    responseTimeoutMs of the command (libcurl's FTP_RESPONSE_TIMEOUT /
//    SERVER_RESPONSE_TIMEOUT, 120 s by default) fails with
//    CURLE_OPERATION_TIMEDOUT once deadline() has passed.
//  - startTls() upgrades the control connection in the middle of the
//    session (FTP's AUTH TLS, IMAP/POP3/SMTP STARTTLS): it refuses when the
//    server already sent bytes after the response that said "go ahead"
//    (a response pipelined into the cleartext phase would be taken as if it
//    came over TLS: CVE-2021-22947), then tlsStep() drives the handshake
//    through the same TLS filter a new connection uses, keeping the
//    curl_socket_t number.
//  - startClear() takes TLS off again (FTP's CCC; the layer was made
//    `clearable`), clearStep() waits for the server's close_notify
//    (src/cf/tls-clear.ts); the exchange then goes on in the clear on the
//    same socket.
import { CURLE, type CURLcode } from '../codes.js';
import { CURL_POLL } from '../constants.js';
import type { StreamTransport } from '../transport/stream-transport.js';
import type { PollEntry } from '../transport/transport.js';
import { TlsFilter, type TlsFilterParams } from '../cf/tls-filter.js';
import { TlsClear, type ClearStep } from '../cf/tls-clear.js';
import type { FilterFacts, FilterStep } from '../cf/filter.js';

/** libcurl's RESP_TIMEOUT: how long a server may take to answer a command by default. */
export const DEFAULT_RESPONSE_TIMEOUT_MS = 120_000;
/** A response line longer than this is refused (libcurl clips; a 17 KB line must still pass, curl test 1003). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;
/** A response of more lines than this is refused. */
export const DEFAULT_MAX_LINES = 10_000;
/** A response of more bytes than this is refused. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** What the pingpong layer tells the protocol (and through it the application). */
export interface PingPongHost {
  /** A command line went out, CRLF included: the CURLINFO_HEADER_OUT trace. */
  sent(line: string): void;
  /**
   * A response line arrived, CRLF included (a view the host must copy to
   * keep): trace it and pass it to the header callback as the protocol
   * wants. A code other than CURLE_OK (the header callback refused it)
   * fails the read.
   */
  received(line: Buffer): CURLcode;
  /**
   * Bytes taken in as response text (CURLINFO_HEADER_SIZE), counted as
   * libcurl 7.88's Curl_pp_readresp counts them: each chunk read from the
   * socket, and again the bytes left over after a response ended when the
   * next read starts from them (its "cache"); bytes a protocol takes as a
   * body (takeLeftover) are not counted again.
   */
  counted?(bytes: number): void;
}

export interface PingPongOptions {
  /**
   * The protocol's end-of-response test (libcurl's pp->endofresp): given a
   * complete line (CRLF included), the response code when this line ends
   * a response (or is one the protocol wants to see on its own, as IMAP's
   * untagged lines), else null.
   */
  endOfResponse(line: Buffer): number | null;
  /** ms a response may take after its command (FTP_RESPONSE_TIMEOUT); 0 or absent: 120 s */
  responseTimeoutMs?: number;
  maxLineBytes?: number;
  maxLines?: number;
  maxResponseBytes?: number;
  /**
   * A response line with a NUL byte fails the transfer (CURLE_WEIRD_SERVER_REPLY)
   * before it is traced or handed to the header callback, as curl 8 does for FTP
   * (its test 2108): no reply text means anything after a NUL, and C code handed
   * the line (libcurl's own parsers, a header callback) would see it cut there.
   */
  rejectNul?: boolean;
}

/** One complete response: its code and every line of it, CRLF included. */
export interface PpResponse {
  kind: 'response';
  code: number;
  lines: Buffer[];
}

export type PpRead =
  | { kind: 'pending' }
  | PpResponse
  | { kind: 'failed'; code: CURLcode; message: string };

const PENDING_READ: PpRead = Object.freeze({ kind: 'pending' });
const LF = 0x0a;

/** The text of a response line without its line ending (latin1: the bytes as they came). */
export function lineText(line: Buffer): string {
  let end = line.length;
  if (end > 0 && line[end - 1] === LF) end--;
  if (end > 0 && line[end - 1] === 0x0d) end--;
  return line.toString('latin1', 0, end);
}

/** The three-digit code at the start of a line, or -1. */
export function threeDigitCode(line: Buffer): number {
  if (line.length < 3) return -1;
  let code = 0;
  for (let i = 0; i < 3; i++) {
    const c = line[i]!;
    if (c < 0x30 || c > 0x39) return -1;
    code = code * 10 + (c - 0x30);
  }
  return code;
}

/** Whether an error-free socket went away: what a pending read finds at EOF. */
function closedMessage(): string {
  return 'response reading failed (errno: 0)';
}

export class PingPong {
  readonly #tr: StreamTransport;
  readonly #opts: Required<PingPongOptions>;
  readonly #host: PingPongHost;
  /** received bytes not yet split into lines (owned copies, never volatile views) */
  #buf: Buffer = Buffer.alloc(0);
  /** #buf holds what the last response left over, not counted again yet (PingPongHost.counted) */
  #cached = false;
  /** where the search for the next LF starts in #buf (bytes before it hold none) */
  #scanned = 0;
  /** the lines of the response being read */
  #lines: Buffer[] = [];
  #responseBytes = 0;
  /** nowMs() at which the current wait for a response started (the last send, or the greeting) */
  #since: number;
  #tls: TlsFilter | null = null;
  /** when the upgrade's handshake must be done (the transfer's connect deadline) */
  #tlsBy = 0;
  /** the filter of the last finished upgrade: what its handshake found (certinfo, verify result) */
  #tlsDone: TlsFilter | null = null;
  #failed: { code: CURLcode; message: string } | null = null;
  /** the TLS shutdown of startClear() in progress */
  #clear: TlsClear | null = null;

  /** @param now the clock's time, when the wait for the server's greeting starts */
  constructor(tr: StreamTransport, opts: PingPongOptions, host: PingPongHost, now: number) {
    this.#tr = tr;
    this.#opts = {
      endOfResponse: opts.endOfResponse,
      responseTimeoutMs: opts.responseTimeoutMs && opts.responseTimeoutMs > 0 ? opts.responseTimeoutMs : DEFAULT_RESPONSE_TIMEOUT_MS,
      maxLineBytes: opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      maxLines: opts.maxLines ?? DEFAULT_MAX_LINES,
      maxResponseBytes: opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      rejectNul: opts.rejectNul ?? false,
    };
    this.#host = host;
    this.#since = now;
  }

  /** How long a command's answer is waited for (libcurl's response timeout). */
  get responseTimeoutMs(): number {
    return this.#opts.responseTimeoutMs;
  }

  get transport(): StreamTransport {
    return this.#tr;
  }

  /** The response clock restarts (libcurl sets pp->response before waiting for a greeting or a data connection's reply). */
  restartClock(now: number): void {
    this.#since = now;
  }

  /**
   * Send one command; CRLF is added. `shown` replaces the text in the trace
   * (nothing hides PASS: libcurl shows it too; SMTP's AUTH data may want to).
   */
  send(cmd: string, now: number, shown?: string): { code: CURLcode; message: string } | null {
    // a CR or LF inside a command (an address, a path, a QUOTE line the application handed over) would
    // end it early and inject the rest as a command of its own: refused before anything is written
    if (/[\r\n]/.test(cmd)) return { code: CURLE.BAD_FUNCTION_ARGUMENT, message: 'CR or LF in a command is not allowed' };
    const line = cmd + '\r\n';
    const r = this.#tr.send(Buffer.from(line, 'latin1'));
    if (!r.ok) return { code: CURLE.SEND_ERROR, message: `Failure sending command: ${r.error.message}` };
    this.#host.sent(shown !== undefined ? shown + '\r\n' : line);
    this.#since = now;
    return null;
  }

  /**
   * When the current wait times out (nowMs() clock). A TLS upgrade's
   * handshake is bounded by the transfer's connect timeout, as curl's "SSL
   * connection timeout" (the response deadline passing there left a wake-up
   * time in the past that nothing acted on: a stall).
   */
  deadline(): number {
    if (this.#tls) return this.#tlsBy;
    // while TLS comes off, the wait is the shutdown's own (curl 7.88's SSL_SHUTDOWN_TIMEOUT, not the response timeout)
    if (this.#clear) return this.#clear.deadline();
    return this.#since + this.#opts.responseTimeoutMs;
  }

  /**
   * Read as much of the response as there is. Each complete line goes to
   * the host at once; the response comes back when its last line is in.
   */
  read(now: number): PpRead {
    if (this.#failed) return { kind: 'failed', ...this.#failed };
    if (this.#cached) {
      // what the last response left over is read again (libcurl's pp->cache)
      this.#cached = false;
      if (this.#buf.length > 0) this.#host.counted?.(this.#buf.length);
    }
    // bounded: each pass either takes a line out of #buf or reads a chunk from the transport;
    // the transport holds a bounded amount, and the caps below stop a server that never ends
    for (;;) {
      const line = this.#nextLine();
      if (line === 'overflow') {
        return this.#fail(CURLE.WEIRD_SERVER_REPLY, `Excessive server response line length received, ${this.#buf.length} bytes`);
      }
      if (line !== null) {
        this.#responseBytes += line.length;
        if (this.#lines.length >= this.#opts.maxLines || this.#responseBytes > this.#opts.maxResponseBytes) {
          return this.#fail(CURLE.WEIRD_SERVER_REPLY, `Excessive server response: more than ${this.#lines.length} lines, ${this.#responseBytes} bytes`);
        }
        if (this.#opts.rejectNul && line.includes(0)) return this.#fail(CURLE.WEIRD_SERVER_REPLY, 'Nul byte in a server response line');
        const c = this.#host.received(line);
        if (c !== CURLE.OK) return this.#fail(c, 'Failed writing header');
        this.#lines.push(line);
        const code = this.#opts.endOfResponse(line);
        if (code !== null) {
          const lines = this.#lines;
          this.#lines = [];
          this.#responseBytes = 0;
          this.#cached = this.#buf.length > 0;
          return { kind: 'response', code, lines };
        }
        continue;
      }
      const r = this.#tr.recv();
      if (r.kind === 'data') {
        this.#host.counted?.(r.data.length);
        // copy: the transport's bytes may be views of reused memory (volatileRecv)
        this.#buf = this.#buf.length === 0 ? Buffer.from(r.data) : Buffer.concat([this.#buf, r.data]);
        continue;
      }
      if (r.kind === 'again') {
        if (now >= this.deadline()) return this.#fail(CURLE.OPERATION_TIMEDOUT, 'server response timeout');
        return PENDING_READ;
      }
      if (r.kind === 'eof') return this.#fail(CURLE.RECV_ERROR, closedMessage());
      return this.#fail(CURLE.RECV_ERROR, `response reading failed: ${r.error.message}`);
    }
  }

  #fail(code: CURLcode, message: string): PpRead {
    this.#failed = { code, message };
    return { kind: 'failed', code, message };
  }

  /** The next complete line out of #buf, null when none is complete yet. */
  #nextLine(): Buffer | null | 'overflow' {
    const buf = this.#buf;
    const lf = buf.indexOf(LF, this.#scanned);
    if (lf < 0) {
      this.#scanned = buf.length;
      return buf.length > this.#opts.maxLineBytes ? 'overflow' : null;
    }
    if (lf + 1 > this.#opts.maxLineBytes) return 'overflow';
    const line = buf.subarray(0, lf + 1);
    this.#buf = buf.subarray(lf + 1);
    this.#scanned = 0;
    return line;
  }

  /** Bytes received after the last response (IMAP's literal, a pipelined reply). */
  get buffered(): number {
    return this.#buf.length + this.#tr.buffered;
  }

  /** Take the received bytes not read as lines yet (a protocol reads a body that follows a response). */
  takeLeftover(): Buffer | null {
    if (this.#buf.length === 0) return null;
    const b = this.#buf;
    this.#buf = Buffer.alloc(0);
    this.#scanned = 0;
    this.#cached = false;
    return b;
  }

  /** What the exchange waits for on the control connection: OUT while a send is held back, else IN. */
  pollWhat(): number {
    if (this.#tls) return CURL_POLL.OUT;
    return this.#tr.writeBlocked ? CURL_POLL.IN | CURL_POLL.OUT : CURL_POLL.IN;
  }

  /** pollWhat() as an entry of a request's pollset. */
  pollEntry(): PollEntry {
    return { transport: this.#tr, what: this.pollWhat() };
  }

  /**
   * Begin the TLS upgrade of the control connection, after the server's
   * "go ahead" (FTP's 234, IMAP's OK, POP3's +OK, SMTP's 220).
   */
  startTls(params: TlsFilterParams, by: number): { code: CURLcode; message: string } | null {
    if (this.buffered > 0) {
      // libcurl: "Pipelining in response is forbidden" (CVE-2021-22947)
      return { code: CURLE.WEIRD_SERVER_REPLY, message: 'Server sent data after its TLS go-ahead: pipelining in response is forbidden' };
    }
    this.#tls = new TlsFilter(this.#tr, params);
    this.#tlsBy = by;
    return null;
  }

  /** Whether a TLS upgrade is in progress. */
  get upgrading(): boolean {
    return this.#tls !== null;
  }

  /** Drive the TLS handshake of startTls(): 'done' once the connection speaks TLS. */
  tlsStep(now: number): FilterStep {
    const f = this.#tls;
    if (f === null) return { kind: 'failed', code: CURLE.SSL_CONNECT_ERROR, message: 'no TLS upgrade in progress' };
    const s = now >= this.#tlsBy ? { kind: 'failed' as const, code: CURLE.OPERATION_TIMEDOUT, message: 'SSL connection timeout' } : f.connect(now);
    if (s.kind !== 'pending') this.#tls = null;
    if (s.kind === 'done') {
      this.#since = now;
      this.#tlsDone = f;
    }
    return s;
  }

  /**
   * Take TLS off the connection after the server agreed (FTP's 2xx to CCC):
   * `active` sends our close_notify first. Refused when the server sent more
   * after its answer (it would be taken as if it came in TLS).
   */
  startClear(active: boolean, now: number, info: (text: string) => void): { code: CURLcode; message: string } | null {
    if (this.buffered > 0) return { code: CURLE.SSL_SHUTDOWN_FAILED, message: 'Failed to clear the command channel (CCC)' };
    this.#clear = new TlsClear(this.#tr, active, now, info);
    return null;
  }

  /** Drive the TLS shutdown of startClear(): 'done' once the connection is in the clear. */
  clearStep(now: number): ClearStep {
    const c = this.#clear;
    if (c === null) return { kind: 'failed', code: CURLE.SSL_SHUTDOWN_FAILED, message: 'Failed to clear the command channel (CCC)' };
    const s = c.step(now);
    if (s.kind !== 'pending') this.#clear = null;
    if (s.kind === 'done') this.#since = now;
    return s;
  }

  /** A fact of the finished TLS upgrade (the 'tls' verification facts, the 'alpn'), or undefined. */
  tlsQuery<K extends keyof FilterFacts>(key: K): FilterFacts[K] | undefined {
    return this.#tlsDone?.query(key);
  }
}
