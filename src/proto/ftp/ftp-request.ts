// One FTP transfer on a control connection (libcurl's ftp_do, ftp_do_more,
// ftp_done and their states in ftp_statemachine), after the login of
// ftp-control.ts:
//
//   QUOTE* -> CWD (per FTP_FILEMETHOD; MKD + CWD with FTP_CREATE_MISSING_DIRS)
//   -> MDTM (FILETIME, TIMECONDITION) -> [NOBODY: TYPE, SIZE, REST 0: the
//   file's facts as header lines] -> PRET -> EPSV (PASV after it fails) or
//   EPRT (PORT after it fails) -> data connection -> TYPE -> PREQUOTE* ->
//   SIZE -> REST -> RETR | LIST/NLST | (SIZE) STOR/APPE -> 150 -> the data
//   flows (ftp-transfer.ts) -> 226 -> POSTQUOTE*
//
// Theory of operation. The request is driven by the server's replies (see
// ftp-control.ts) and, between PASV and the end of the data, by the data
// connection (ftp-data.ts). step() does at most a bounded amount of work:
// the TLS upgrade, the data connect, the data pump, then every reply that is
// complete. pollset() reports the control connection (IN) and, beside it,
// the data connection or the listening socket: the application sees the
// data socket come and go while the control connection stays.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURL_POLL, CURLPAUSE } from '../../constants.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import type { PollEntry } from '../../transport/transport.js';
import { nowMs } from '../../util/clock.js';
import type { ProtocolEnv, ProtocolRequest } from '../handler.js';
import { detachHost } from './ftp-control.js';
import { FtpDataPump } from './ftp-transfer.js';
import { bindStep } from './ftp-setup-data.js';
import { FtpCommands, keepsControl } from './ftp-commands.js';
import { ftpWildcardOf } from './ftp-wildcard.js';
import { CURLFINFOFLAG, type CurlFileInfo, type FtpListParser } from './ftp-listparse.js';

export class FtpRequest extends FtpCommands implements ProtocolRequest {
  constructor(t: Transfer, conn: Connection, env: ProtocolEnv) {
    super(t, conn, env);
  }

  #pump: FtpDataPump | null = null;
  /** a reply that came in while the data was flowing (the 226 before the data's EOF) */
  #early: { code: number; text: string } | null = null;
  #isDone = false;
  #keep = false;
  #poll: PollEntry[] = [];
  /** ACCEPTTIMEOUT_MS deadline while waiting for the server's data connection */
  #acceptBy: number | null = null;
  /** a wildcard transfer's LIST: its bytes go to the list parser */
  #listSink: FtpListParser | null = null;
  /** the wildcard file this request downloads: CHUNK_END_FUNCTION is owed at its end */
  #wcFile: CurlFileInfo | null = null;

  // ---- ProtocolRequest ------------------------------------------------------

  start(): CURLcode {
    if (this.failedCode !== CURLE.OK) return this.failedCode;
    if (this.upload_ && !this.path_.file && this.kind_ === 'body') {
      return this.fail(CURLE.URL_MALFORMAT, 'Uploading to a URL without a file name');
    }
    const range = this.t.opts.str(CURLOPT.RANGE);
    if (range !== null && !this.upload_) this.applyRange(range);
    return this.begin();
  }

  get done(): boolean {
    return this.#isDone;
  }
  get reusable(): boolean {
    return this.#keep;
  }
  get receivedAnything(): boolean {
    return this.gotReply;
  }
  /** ftp_connect's states: the greeting, AUTH, USER/PASS/ACCT, PBSZ/PROT and PWD */
  get loggingIn(): boolean {
    return !this.fc.loggedIn;
  }
  get wakeAt(): number | null {
    if (this.#isDone) return null;
    if (this.#acceptBy !== null) return this.#acceptBy;
    const he = this.data?.nextTimeout();
    if (he !== undefined) return he;
    if (this.#pump && !this.#pump.finished) return null;
    return this.pp.deadline();
  }

  pollWhat(): number {
    return this.pp.pollWhat();
  }

  pollset(): PollEntry[] {
    if (this.#isDone) return this.#setPoll([]);
    const entries: PollEntry[] = [];
    const ctl = this.pp.pollWhat();
    // the control connection is watched throughout; while the data flows only for a reply that comes early
    if (!(this.#pump && !this.#pump.finished && this.#early !== null)) entries.push({ transport: this.pp.transport, what: ctl });
    if (this.#pump && !this.#pump.finished) {
      const p = this.#pump.pollEntry();
      if (p) entries.push(p);
    } else if (this.data && !this.#pump) {
      // Between its setup and the 150 the data side stays watched (IN) so that the application sees
      // it come once and go once; a socket that turns readable before it may be used (a server that
      // connects or sends early) is left out until then, or it would wake the transfer in a loop.
      const l = this.data.listener;
      const tr = this.data.transport;
      if (l) {
        // while binding, IN is the news that the bind settled
        if (this.state === 'binding' || !(l.readiness() & CURL_POLL.IN)) entries.push({ transport: l, what: CURL_POLL.IN });
      } else if (tr && !this.dataConnecting) {
        if (!(tr.readiness() & CURL_POLL.IN)) entries.push({ transport: tr, what: CURL_POLL.IN });
      } else entries.push(...this.data.pollset());
    }
    return this.#setPoll(entries);
  }

  #setPoll(entries: PollEntry[]): PollEntry[] {
    const prev = this.#poll;
    if (prev.length === entries.length && prev.every((p, i) => p.transport === entries[i]!.transport && p.what === entries[i]!.what)) return prev;
    this.#poll = entries;
    return entries;
  }

  retainReceived(): void {
    // the pingpong keeps owned copies; the pump writes what it reads at once
  }

  resume(): CURLcode {
    return CURLE.OK;
  }

  abort(): void {
    if (this.#wcFile) {
      // libcurl's ftp_done: after each file, downloaded or failed
      this.#wcFile = null;
      ftpWildcardOf(this.t)?.chunkEnd(this.t, this.env);
    }
    this.data?.close();
    this.data = null;
    this.#pump = null;
    if (!this.#isDone) {
      // ended in the middle: the control connection's state is unknown
      // (a final reply that was read and refused, 552 to STOR, leaves it in step: libcurl's ftp_done read it)
      this.fc.ctlValid = this.fc.ctlValid && this.failedCode !== CURLE.OK && (keepsControl(this.failedCode) || this.#settled) && this.state === '';
    }
    detachHost(this.fc);
  }

  step(): CURLcode {
    const c = this.#runSteps();
    if (c !== CURLE.OK) return this.#failed(c);
    return CURLE.OK;
  }

  #runSteps(): CURLcode {
    if (this.failedCode !== CURLE.OK) return this.failedCode;
    if (this.state === 'tls') {
      const c = this.tlsStep();
      if (c !== CURLE.OK || this.state === 'tls') return c;
    }
    if (this.state === 'clear') {
      const c = this.clearStep();
      if (c !== CURLE.OK || this.state === 'clear') return c;
    }
    // bounded: each pass handles one reply or one data step, and replies come from a bounded buffer
    for (let pass = 0; pass < 64 && !this.#isDone; pass++) {
      if (this.state === 'binding') {
        const c = bindStep(this);
        if (c === null) return CURLE.OK;
        if (c !== CURLE.OK) return c;
        // the EPRT/PORT went: ftp_perform's note, if this was the DO phase's first command
        this.notePerformEnd();
        continue;
      }
      if (this.dataConnecting) {
        const c = this.#dataConnectStep();
        if (c !== CURLE.OK || this.dataConnecting) return c;
        continue;
      }
      if (this.#pump && !this.#pump.finished) {
        const c = this.#pumpStep();
        if (c !== CURLE.OK) return c;
        if (!this.#pump.finished) return CURLE.OK;
        continue;
      }
      if (this.#early) {
        const e = this.#early;
        this.#early = null;
        const held = this.releaseHeld();
        if (held !== CURLE.OK) return this.fail(held, 'Failed writing header');
        const c = this.dispatch(e.code, e.text, []);
        if (c !== CURLE.OK) return c;
        continue;
      }
      if (this.heldLines !== null) {
        // the start of a reply read ahead while the data flowed: shown before the rest of it
        const held = this.releaseHeld();
        if (held !== CURLE.OK) return this.fail(held, 'Failed writing header');
      }
      const r = this.readReply();
      if (r.code !== CURLE.OK) return r.code;
      if (!r.got) return CURLE.OK;
      if (this.state === 'tls' || this.state === 'clear') return this.step();
    }
    return CURLE.OK;
  }

  /**
   * The transfer failed: the data connection goes. The control connection
   * stays for the next transfer when the failure left it in step (a reply
   * was refused, libcurl's ftp_done list); a failure while a reply is owed
   * (the data was flowing, a timeout, a broken reply) closes it without QUIT.
   */
  #failed(c: CURLcode): CURLcode {
    // a failure while the data flowed is libcurl's premature multi_done
    const premature = this.#pump !== null && !this.#pump.finished;
    // a reply read ahead still reaches the trace and the header callback
    this.releaseHeld();
    this.data?.close();
    this.data = null;
    this.#pump = null;
    this.dataConnecting = false;
    // libcurl keeps ctl_valid (and says QUIT at close) for the failures of its list, and after a
    // final reply that was read; the connection is reused only when no reply is still owed
    const sayQuit = (keepsControl(c) || this.#settled) && this.state !== 'tls' && this.fc.ctlValid;
    if (!sayQuit) this.fc.ctlValid = false;
    this.#keep = sayQuit && (this.#settled || this.state !== 'final');
    this.rememberPath(c, premature);
    this.state = '';
    detachHost(this.fc);
    return c;
  }

  /** the reply that ends the transfer was read: the control connection is in step whatever failed */
  #settled = false;

  get reusableAfterError(): boolean {
    return this.#keep;
  }

  /**
   * ftp_do with WILDCARDMATCH: the wildcard machine says what this request
   * transfers (the LIST, one file, or nothing more) before its commands.
   */
  protected override afterLogin(): CURLcode {
    const wc = ftpWildcardOf(this.t);
    if (wc && !this.pathError) {
      const plan = wc.plan(this.t, this.env, (text) => this.info(text));
      switch (plan.kind) {
        case 'failed':
          return this.fail(plan.code, plan.message);
        case 'nothing':
          // every file left was skipped: no transfer (and no POSTQUOTE) on this pass
          this.postRan = true;
          return this.finish();
        case 'list':
          this.path_ = plan.path;
          this.#listSink = plan.parser;
          break;
        case 'file':
          this.path_ = plan.path;
          this.#wcFile = plan.info;
          if (plan.info.flags & CURLFINFOFLAG.KNOWN_SIZE) this.knownSize = plan.info.size;
          break;
      }
    }
    return super.afterLogin();
  }

  /** The data connection carries the body now (active mode accepts the server's connection first). */
  protected startData(dir: 'download' | 'upload'): CURLcode {
    if (!this.data) return this.fail(CURLE.FTP_CANT_GET_HOST, 'no data connection');
    this.state = 'final';
    const t = this.t;
    this.#pump = new FtpDataPump(t, this.env, this.data, dir, {
      size: this.fileSize,
      maxDownload: this.maxDownload,
      skip: this.uploadSkip,
      ascii: this.ascii_,
      crlf: t.opts.num(CURLOPT.CRLF) !== 0,
      lineEnds: dir === 'download' && this.fc.transferType === 'A',
      sink: this.#listSink ? (b) => this.#listSink!.write(b) : null,
    });
    if (this.data.isListening) {
      const ms = t.opts.num(CURLOPT.ACCEPTTIMEOUT_MS) || 60_000;
      this.#acceptBy = nowMs() + ms;
    }
    return CURLE.OK;
  }

  #pumpStep(): CURLcode {
    const pump = this.#pump!;
    if (this.#acceptBy !== null && !pump.connected && nowMs() >= this.#acceptBy) {
      return this.fail(CURLE.FTP_ACCEPT_TIMEOUT, 'Accept timeout occurred while waiting server connect');
    }
    // a reply on the control connection while the data flows (the 226 ahead of the data's EOF, or an error)
    if (this.#early === null && (this.pp.buffered > 0 || this.pp.transport.readiness() & CURL_POLL.IN)) {
      // read now, shown once the data is through (where libcurl reads it), unless it stops the transfer
      this.heldLines ??= [];
      const r = this.pp.read(nowMs());
      if (r.kind === 'failed') {
        this.releaseHeld();
        this.fc.ctlValid = false;
        return this.fail(r.code, r.message);
      }
      if (r.kind === 'response') {
        this.t.responseCode = r.code;
        const text = r.lines.length > 0 ? r.lines[r.lines.length - 1]!.toString('latin1').replace(/\r?\n$/, '') : '';
        if (!pump.connected && r.code >= 400) {
          const c = this.releaseHeld();
          if (c !== CURLE.OK) return this.fail(c, 'Failed writing header');
          this.#settled = true;
          return this.fail(CURLE.FTP_ACCEPT_FAILED, 'There is negative response in cache while serv connect');
        }
        this.#early = { code: r.code, text };
      }
    }
    if (this.t.pauseBits & CURLPAUSE.RECV && pump.direction === 'download') return CURLE.OK;
    const c = pump.step(nowMs());
    if (c !== CURLE.OK) return c;
    if (pump.connected) this.#acceptBy = null;
    if (pump.finished) {
      // libcurl's ftp_done starts here: before the final reply and any ABOR
      this.rememberPath();
      // a download's data connection is done with: close it, then the server's verdict on the control
      // connection; an upload's stays until that verdict (closing it at once could drop unsent bytes)
      if (pump.direction === 'download') {
        this.data?.close();
        this.data = null;
      }
      if (this.dontCheck && this.maxDownload > 0) {
        // a range ended before the file: ABOR, and whatever the server answers the connection closes (ftp_done)
        return this.cmd('ABOR', 'abor');
      }
    }
    return CURLE.OK;
  }

  protected override dispatch(code: number, text: string, lines: Buffer[]): CURLcode {
    if (this.state !== 'abor') return super.dispatch(code, text, lines);
    // the answer to ABOR (or the 226 that came before it) says nothing reliable about the transfer
    this.info('partial download completed, closing connection');
    return this.#checkSizes(true);
  }

  /** The reply after the data (226): then the size checks and POSTQUOTE. */
  protected finalReply(code: number): CURLcode {
    this.data?.close();
    this.data = null;
    if (!this.dontCheck) {
      // the server's verdict was read: the control connection is in step (QUIT at close)
      this.#settled = true;
      if (code === 552) return this.fail(CURLE.REMOTE_DISK_FULL, 'Exceeded storage allocation');
      if (code !== 226 && code !== 250) return this.fail(CURLE.PARTIAL_FILE, `server did not report OK, got ${code}`);
      this.#settled = false;
    }
    return this.#checkSizes(false);
  }

  #checkSizes(closing: boolean): CURLcode {
    const c = this.#sizesOk();
    // libcurl finds a short body in its transfer layer, before ftp_done: the control connection is
    // given up without QUIT
    if (c !== CURLE.OK) this.fc.ctlValid = false;
    if (c !== CURLE.OK) return c;
    if (closing) return this.#quit();
    return this.finish();
  }

  /**
   * The connection closes after this transfer (a range ended before the file):
   * libcurl's Curl_disconnect -> ftp_quit runs still on this transfer's handle,
   * so its QUIT and the answer are traced, counted (%{size_header}) and that
   * answer's code is the transfer's last response code. Then it is over,
   * whatever the server said, or if it said nothing.
   */
  #quit(): CURLcode {
    if (!this.fc.ctlValid || !this.fc.loggedIn) return this.#closed();
    // said here: not again when the connection closes
    this.fc.ctlValid = false;
    if (this.pp.send('QUIT', nowMs())) return this.#closed();
    this.state = 'quit';
    return CURLE.OK;
  }

  protected override readReply(): { code: CURLcode; got: boolean } {
    if (this.state !== 'quit') return super.readReply();
    const r = this.pp.read(nowMs());
    if (r.kind === 'pending') return { code: CURLE.OK, got: false };
    if (r.kind === 'response') this.t.responseCode = r.code;
    return { code: this.#closed(), got: true };
  }

  /** Done, and the connection is not kept. */
  #closed(): CURLcode {
    this.state = '';
    this.#isDone = true;
    this.#keep = false;
    this.rememberPath();
    detachHost(this.fc);
    return CURLE.OK;
  }

  #sizesOk(): CURLcode {
    const t = this.t;
    const pump = this.#pump!;
    if (this.upload_) {
      const infile = t.opts.num(CURLOPT.INFILESIZE_LARGE);
      if (infile !== -1 && infile - this.uploadSkip !== pump.bytes && t.opts.num(CURLOPT.CRLF) === 0) {
        return this.fail(CURLE.PARTIAL_FILE, `Uploaded unaligned file size (${pump.bytes} out of ${infile - this.uploadSkip} bytes)`);
      }
    } else if (this.fileSize !== -1 && this.fileSize !== pump.bytes && this.maxDownload !== pump.bytes && !(this.ascii_ && pump.bytes + pump.crlfSeen === this.fileSize)) {
      return this.fail(CURLE.PARTIAL_FILE, `Received only partial file: ${pump.bytes} bytes`);
    } else if (!this.dontCheck && pump.bytes === 0 && this.fileSize > 0) {
      return this.fail(CURLE.FTP_COULDNT_RETR_FILE, 'No data was received!');
    }
    return CURLE.OK;
  }

  /** Everything is through (POSTQUOTE first): the connection is fit for the next transfer. */
  protected finish(): CURLcode {
    if (!this.postRan) {
      this.postRan = true;
      return this.runQuote(CURLOPT.POSTQUOTE, () => this.finish());
    }
    this.data?.close();
    this.data = null;
    this.state = '';
    this.#isDone = true;
    this.#keep = this.fc.ctlValid;
    this.rememberPath();
    this.t.timing.posttransfer = nowMs();
    detachHost(this.fc);
    ftpWildcardOf(this.t)?.settleAfterRequest();
    return CURLE.OK;
  }

  #dataConnectStep(): CURLcode {
    const d = this.data!;
    const s = d.step(nowMs(), false);
    if (s.kind === 'failed') {
      this.dataConnecting = false;
      d.close();
      this.data = null;
      if (this.state === 'epsv-connect' && this.fc.useEpsv) {
        // an EPSV address that cannot be reached: PASV instead (libcurl's failf said why, in the trace only)
        this.info(s.message);
        this.fc.useEpsv = false;
        this.info('Failed EPSV attempt. Disabling EPSV');
        return this.cmd('PASV', 'pasv');
      }
      return this.fail(s.code, s.message);
    }
    if (d.transport === null || d.tunneling) return CURLE.OK;
    this.dataConnecting = false;
    return this.dataReady();
  }

}
