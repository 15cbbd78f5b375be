// The SFTP protocol request (sftp://), after libcurl 7.88's state machine in
// lib/vssh/libssh2.c: SSH handshake and authentication (SshSession), the
// "sftp" subsystem, the home directory (REALPATH "."), QUOTE commands, the
// file time (FILETIME), then the transfer: an upload (UPLOAD), a directory
// listing (a path ending in '/'), or a download; after a transfer that went
// well, POSTQUOTE commands. NOBODY skips the transfer (the commands run).
//
// Theory of operation. Everything ssh2 answers arrives inside
// SshSession.pump() and is only recorded (sftp-ops.ts); step() then runs
// the state machine below on what was recorded, so headers, body bytes and
// trace lines reach the application from step(), in libcurl's order.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURL_POLL, CURLINFO_TYPE, CURLPAUSE } from '../../constants.js';
import { traceData, traceEnabled } from '../../util/trace.js';
import { HTTPREQ } from '../../easy/option-store.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import { CLIENTWRITE, PAUSED } from '../../cw/client-write.js';
import { nowMs } from '../../util/clock.js';
import { CURLU, CURLUPART } from '../../url/url-codes.js';
import type { ProtocolRequest } from '../handler.js';
import { SshSession } from './ssh-session.js';
import { PendingOp } from './sftp-ops.js';
import { decodeUrlPath, sftpWorkingPath } from './ssh-path.js';
import { parseQuote, runQuote, type QuoteOutcome } from './sftp-quote.js';
import { SftpDownload } from './sftp-download.js';
import { SftpListing } from './sftp-listing.js';
import { SftpUpload } from './sftp-upload.js';
import type { SftpSession, SftpStats } from './ssh2-lib.js';
import type { SftpJob, SftpJobHost } from './sftp-job.js';
import { setFtpEntryPath } from '../ftp/ftp-conn.js';

type Phase = 'auth' | 'subsystem' | 'realpath' | 'quote' | 'filetime' | 'transfer' | 'postquote' | 'done';

export class SftpRequest implements ProtocolRequest, SftpJobHost {
  readonly t: Transfer;
  readonly guard: CallbackGuard;
  readonly #session: SshSession;
  readonly #op = new PendingOp();
  #phase: Phase = 'auth';
  #sftp: SftpSession | null = null;
  #home = '';
  path = '';
  /** the URL's decoded path (before "/~/" is resolved) */
  #urlPath = '';
  #quotes: readonly string[] = [];
  #q = 0;
  #quoteRunning = false;
  #job: SftpJob | null = null;
  /** the session came with a reused connection: logged in, its SFTP channel open */
  readonly #reused: boolean;
  /** ended well: the connection and its session serve the next transfer */
  #kept = false;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard) {
    this.t = t;
    this.guard = guard;
    const old = SshSession.reuse(conn, t, guard);
    this.#reused = old !== null;
    this.#session = old ?? new SshSession(t, conn, guard);
  }

  get sftp(): SftpSession {
    return this.#sftp!;
  }

  get writeBlocked(): boolean {
    return this.#session.writeBlocked;
  }

  info(text: string): void {
    this.#session.info(text);
  }

  fail(code: CURLcode, message: string): CURLcode {
    return this.#session.fail(code, message);
  }

  body(data: Buffer): number {
    if (traceEnabled(this.t)) traceData(this.guard, this.t, CURLINFO_TYPE.DATA_IN, data);
    return this.t.writers.write(CLIENTWRITE.BODY, data);
  }

  sent(data: Buffer): void {
    if (traceEnabled(this.t)) traceData(this.guard, this.t, CURLINFO_TYPE.DATA_OUT, data);
  }

  start(): CURLcode {
    const shown = this.t.url!.handle.get(CURLUPART.PATH, CURLU.URLENCODE).value ?? '/';
    const p = decodeUrlPath(shown);
    if (p === null) return CURLE.URL_MALFORMAT;
    this.#urlPath = p;
    if (this.#reused) {
      this.#sftp = this.#session.sftp;
      this.#home = this.#session.home;
      this.#beginQuotes();
      return CURLE.OK;
    }
    return this.#session.start();
  }

  /** Logged in, SFTP up, the home directory known: the path, then the QUOTE commands. */
  #beginQuotes(): void {
    this.path = sftpWorkingPath(this.#urlPath, this.#home);
    this.#quotes = (this.t.opts.get(CURLOPT.QUOTE) as string[] | null) ?? [];
    this.#q = 0;
    this.#phase = 'quote';
  }

  step(): CURLcode {
    const c = this.#session.pump();
    if (c !== CURLE.OK) return this.#end(c);
    const r = this.#advance();
    if (r !== CURLE.OK) return this.#end(r);
    return CURLE.OK;
  }

  #advance(): CURLcode {
    const t = this.t;
    // bounded: every pass moves the phase on or returns to wait
    for (let pass = 0; pass < 64; pass++) {
      switch (this.#phase) {
        case 'auth': {
          if (!this.#session.ready) return CURLE.OK;
          this.#phase = 'subsystem';
          this.#op.issue((cb) => this.#session.client!.sftp(cb as never));
          break;
        }
        case 'subsystem': {
          const a = this.#op.take<SftpSession>();
          if (!a) return CURLE.OK;
          if (a.err) return this.fail(CURLE.SSH, 'Failure initializing sftp session: Unable to startup channel');
          this.#sftp = a.value;
          this.#sftp.on('error', () => {});
          this.#phase = 'realpath';
          this.#op.issue((cb) => this.#sftp!.realpath('.', cb as never));
          break;
        }
        case 'realpath': {
          const a = this.#op.take<string>();
          if (!a) return CURLE.OK;
          if (a.err) return this.fail(CURLE.SSH, 'error getting working directory');
          this.#home = a.value;
          this.#session.sftp = this.#sftp;
          this.#session.home = this.#home;
          // libssh2.c's SSH_SFTP_REALPATH: the home directory is CURLINFO_FTP_ENTRY_PATH for SFTP too
          setFtpEntryPath(this.t.easy, this.#home);
          this.#beginQuotes();
          break;
        }
        case 'quote':
        case 'postquote': {
          const c = this.#runQuotes();
          if (c !== CURLE.OK) return c;
          if (this.#q < this.#quotes.length || this.#quoteRunning) return CURLE.OK;
          if (this.#phase === 'postquote') {
            this.#finish();
            return CURLE.OK;
          }
          if (t.opts.num(CURLOPT.FILETIME)) {
            this.#phase = 'filetime';
            this.#op.issue((cb) => this.#sftp!.stat(this.path, cb as never));
          } else this.#startTransfer();
          break;
        }
        case 'filetime': {
          const a = this.#op.take<SftpStats>();
          if (!a) return CURLE.OK;
          if (!a.err) t.filetime = a.value.mtime;
          this.#startTransfer();
          break;
        }
        case 'transfer': {
          const job = this.#job;
          if (job) {
            const c = job.run();
            if (c !== CURLE.OK) return c;
            if (!job.finished) return CURLE.OK;
            this.#job = null;
          }
          if (t.timing.posttransfer === 0) t.timing.posttransfer = nowMs();
          this.#quotes = (t.opts.get(CURLOPT.POSTQUOTE) as string[] | null) ?? [];
          this.#q = 0;
          this.#phase = 'postquote';
          break;
        }
        case 'done':
          return CURLE.OK;
      }
    }
    return CURLE.OK;
  }

  #startTransfer(): void {
    const t = this.t;
    this.#phase = 'transfer';
    if (t.opts.method === HTTPREQ.PUT) this.#job = new SftpUpload(this);
    else if (t.opts.num(CURLOPT.NOBODY)) this.#job = null;
    else if (this.path.endsWith('/')) this.#job = new SftpListing(this);
    else this.#job = new SftpDownload(this);
  }

  /** Run the commands of the current list, one at a time. */
  #runQuotes(): CURLcode {
    // bounded by the list
    while (true) {
      if (this.#quoteRunning) {
        const a = this.#op.take<QuoteOutcome>();
        if (!a) return CURLE.OK;
        this.#quoteRunning = false;
        const c = this.#quoteDone(a.value);
        if (c !== CURLE.OK) return c;
        continue;
      }
      if (this.#q >= this.#quotes.length) return CURLE.OK;
      const raw = this.#quotes[this.#q++]!;
      const cmd = parseQuote(raw, this.#home, this.path);
      if ('ok' in cmd) {
        if (cmd.ok && cmd.header !== null) this.#quoteTrace('PWD\n', cmd.header);
        const c = this.#quoteDone(cmd);
        if (c !== CURLE.OK) return c;
        continue;
      }
      this.#quoteRunning = true;
      const dirPerms = this.t.opts.has(CURLOPT.NEW_DIRECTORY_PERMS) ? this.t.opts.num(CURLOPT.NEW_DIRECTORY_PERMS) : 0o755;
      this.#op.issue((cb) => runQuote(this.#sftp!, cmd, dirPerms, (r) => cb(null, r)));
    }
  }

  /** pwd's lines in the trace, as libcurl shows them (its "PWD" out, the answer in). */
  #quoteTrace(out: string, answer: string): void {
    traceData(this.guard, this.t, CURLINFO_TYPE.HEADER_OUT, out);
    traceData(this.guard, this.t, CURLINFO_TYPE.HEADER_IN, answer);
  }

  #quoteDone(r: QuoteOutcome): CURLcode {
    if (!r.ok) return this.fail(r.code, r.message);
    if (r.header === null) return CURLE.OK;
    const c = this.t.writers.write(CLIENTWRITE.HEADER, Buffer.from(r.header, 'utf8'));
    return c === PAUSED ? CURLE.OK : c;
  }

  #finish(): void {
    this.#phase = 'done';
    this.#kept = true;
    this.#session.keep();
  }

  #end(code: CURLcode): CURLcode {
    this.#job?.abort();
    this.#job = null;
    this.#op.cancel();
    this.#phase = 'done';
    this.#session.close();
    return code;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  /** a transfer that went well leaves the connection, logged in, to the next one (as libcurl) */
  get reusable(): boolean {
    return this.#kept;
  }

  pollWhat(): number {
    if (this.#phase === 'done') return 0;
    if (this.t.pauseBits & CURLPAUSE.RECV && this.#phase === 'transfer') return this.#session.pollWhat() & CURL_POLL.OUT;
    return this.#session.pollWhat();
  }

  get wakeAt(): number | null {
    return this.#phase === 'done' ? null : this.#session.wakeAt;
  }

  retainReceived(): void {
    // what ssh2 keeps it copied in pump()
  }

  resume(): CURLcode {
    return CURLE.OK;
  }

  get receivedAnything(): boolean {
    return this.#session.receivedAnything;
  }

  /** the SSH handshake and authentication: libcurl's PROTOCONNECT */
  get loggingIn(): boolean {
    return !this.#session.ready;
  }

  abort(): void {
    if (this.#phase !== 'done') this.#end(CURLE.OK);
  }
}
