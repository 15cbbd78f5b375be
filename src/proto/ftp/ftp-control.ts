// The control-connection half of an FTP request: the command/response
// machinery every FTP state uses, and the connect phase libcurl runs once
// per new connection (ftp_connect and the first part of ftp_statemachine):
// the 220 greeting, AUTH SSL/TLS and the TLS upgrade for explicit FTPS,
// USER/PASS/ACCT (with FTP_ALTERNATIVE_TO_USER), PBSZ/PROT for FTPS, CCC
// (FTP_SSL_CCC: TLS comes off the control connection, src/cf/tls-clear.ts),
// PWD for the entry path (and SYST when that is no absolute path).
//
// Theory of operation. The request is a state machine driven by the
// server's replies: `state` names the command whose reply is awaited;
// cmd() sends a command and sets the state, onReply() (in the subclass,
// ftp-request.ts, for the transfer states) handles the reply. A reply of
// the connect phase is handled here by loginReply(); when the login is done
// the subclass's afterLogin() starts the transfer's commands. Every failure
// is libcurl's failf() text and CURLcode.
import { connectTimeoutMs } from '../../multi/state-common.js';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURLINFO_TYPE } from '../../constants.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import { CLIENTWRITE } from '../../cw/client-write.js';
import { traceData } from '../../util/trace.js';
import { nowMs } from '../../util/clock.js';
import { parseNetrc } from '../../auth/netrc.js';
import { bufferToText } from '../../url/url-bytes.js';
import { tlsConfig } from '../../cf/tls-connect.js';
import type { TlsFilterParams } from '../../cf/tls-filter.js';
import { PingPong, threeDigitCode, lineText, type PingPongHost } from '../pingpong.js';
import type { ProtocolEnv } from '../handler.js';
import { PROTOPT } from '../handler.js';
import { ftpConnOf, setFtpEntryPath, type FtpConn } from './ftp-conn.js';
import { parsePwd } from './ftp-replies.js';
import { optionCredentials } from '../redirect.js';

/** CURLOPT_USE_SSL values. */
export const USESSL = { NONE: 0, TRY: 1, CONTROL: 2, ALL: 3 } as const;
/** CURLOPT_FTPSSLAUTH values. */
const FTPAUTH = { DEFAULT: 0, SSL: 1, TLS: 2 } as const;
/** CURLOPT_FTP_SSL_CCC values. */
export const CCC = { NONE: 0, PASSIVE: 1, ACTIVE: 2 } as const;

/** FTP_SSL_CCC asks for CCC after the login: the control connection's TLS is made so that it can come off. */
export function cccWanted(t: Transfer): boolean {
  return t.opts.num(CURLOPT.FTP_SSL_CCC) !== CCC.NONE;
}

/** FTP's end of a response: a line "NNN " ("NNN-" lines continue it). */
export function ftpEndOfResponse(line: Buffer): number | null {
  const code = threeDigitCode(line);
  return code >= 0 && line.length > 3 && line[3] === 0x20 ? code : code >= 0 && (line[3] === 0x0d || line[3] === 0x0a) ? code : null;
}

/**
 * Who a transfer logs in as and how, as one key: the user, password and account, FTP_ALTERNATIVE_TO_USER,
 * USE_SSL and FTP_SSL_CCC. A pooled connection serves only the same key (libcurl's ConnectionExists
 * after CVE-2023-27535: any of them can make the server take the connection for another user, or leave
 * the control channel in cleartext).
 */
export function ftpLoginKey(t: Transfer): string {
  const c = ftpCredentials(t);
  const o = t.opts;
  return JSON.stringify([c.user, c.password, c.account, o.str(CURLOPT.FTP_ALTERNATIVE_TO_USER), o.num(CURLOPT.USE_SSL), o.num(CURLOPT.FTP_SSL_CCC)]);
}

/** The user, password and account a transfer logs in with (libcurl's defaults: anonymous, ftp@example.com). */
export function ftpCredentials(t: Transfer): { user: string; password: string; account: string | null } {
  const o = t.opts;
  const url = t.url!;
  const given = optionCredentials(t);
  let user = given.username ?? url.user ?? null;
  const netrc = o.num(CURLOPT.NETRC);
  // CURL_NETRC_REQUIRED: the URL's password is ignored, .netrc's is used
  let password = given.password ?? (netrc === 2 ? null : url.password ?? null);
  if (netrc !== 0 && given.username === null && password === null) {
    const file = o.str(CURLOPT.NETRC_FILE) ?? join(process.env['HOME'] || homedir(), '.netrc');
    let text: string | null = null;
    try {
      text = bufferToText(readFileSync(file));
    } catch {
      text = null;
    }
    if (text !== null) {
      const r = parseNetrc(text, url.host, user);
      if (r.code === 0) {
        if (r.login !== undefined) user = r.login;
        if (r.password !== undefined) password = r.password;
      }
    }
  }
  if (user === null) return { user: 'anonymous', password: password ?? 'ftp@example.com', account: o.str(CURLOPT.FTP_ACCOUNT) };
  return { user, password: password ?? '', account: o.str(CURLOPT.FTP_ACCOUNT) };
}

export abstract class FtpControl {
  protected readonly t: Transfer;
  protected readonly conn: Connection;
  protected readonly env: ProtocolEnv;
  protected readonly fc: FtpConn;
  protected readonly pp: PingPong;
  /** the command whose reply is awaited ('' when none) */
  protected state = '';
  /** the reply that ended the transfer's commands arrived: what is left is the engine's */
  protected finished = false;
  protected failedCode: CURLcode = CURLE.OK;
  protected gotReply = false;
  /** AUTH attempts: which of SSL/TLS is next, and how many were made */
  #authNext = 0;
  #authTries = 0;
  #triedAlternative = false;
  #userSent = '';

  constructor(t: Transfer, conn: Connection, env: ProtocolEnv) {
    this.t = t;
    this.conn = conn;
    this.env = env;
    this.fc = ftpConnOf(conn);
    const fc = this.fc;
    if (fc.pp === null) {
      fc.controlTls = (t.handler!.flags & PROTOPT.SSL) !== 0;
      fc.pp = new PingPong(conn.transport!, {
        endOfResponse: ftpEndOfResponse,
        responseTimeoutMs: responseTimeoutMs(t),
        rejectNul: true,
      }, sharedHost(fc), nowMs());
    }
    this.pp = fc.pp;
    hosts.set(fc, this.ppHost);
  }

  /** The pingpong host of this request: traces and the header callback. */
  protected readonly ppHost: PingPongHost = {
    sent: (line) => traceData(this.env, this.t, CURLINFO_TYPE.HEADER_OUT, line),
    received: (line) => {
      if (this.heldLines !== null) {
        this.heldLines.push(Buffer.from(line));
        return CURLE.OK;
      }
      return this.#deliver(line);
    },
    // CURLINFO_HEADER_SIZE: what libcurl's pingpong counts as read (not NOBODY's file facts)
    counted: (bytes) => {
      this.t.headerSize += bytes;
    },
  };

  /**
   * Reply lines read ahead of their turn (FTP's final reply while the data
   * still flows), kept until the request takes them: libcurl reads that
   * reply only after the data, so its trace and header callback see it
   * then. null: lines are delivered as they come.
   */
  protected heldLines: Buffer[] | null = null;

  /** Deliver the held lines now and stop holding. */
  protected releaseHeld(): CURLcode {
    const held = this.heldLines ?? [];
    this.heldLines = null;
    for (const line of held) {
      const c = this.#deliver(line);
      if (c !== CURLE.OK) return c;
    }
    return CURLE.OK;
  }

  #deliver(line: Buffer): CURLcode {
    traceData(this.env, this.t, CURLINFO_TYPE.HEADER_IN, line);
    // libcurl hands every reply line to the header callback (curl -D shows them), never into the
    // body stream (curl -i does not)
    return this.t.writers.write(CLIENTWRITE.INFO, line) === CURLE.OK ? CURLE.OK : CURLE.WRITE_ERROR;
  }

  protected info(text: string): void {
    this.env.trace(this.t, text);
  }

  /** libcurl's failf() + return code. */
  protected fail(code: CURLcode, message: string): CURLcode {
    this.t.fail(code, message);
    this.failedCode = code;
    return code;
  }

  /** Send a command and wait for its reply in `state`. */
  protected cmd(text: string, state: string): CURLcode {
    const f = this.pp.send(text, nowMs());
    if (f) {
      this.fc.ctlValid = false;
      return this.fail(f.code, f.message);
    }
    this.state = state;
    return CURLE.OK;
  }

  /** Begin: the greeting on a new connection, else straight to the transfer's commands. */
  protected begin(): CURLcode {
    if (this.fc.loggedIn) return this.afterLogin();
    this.state = 'greeting';
    this.pp.restartClock(nowMs());
    return CURLE.OK;
  }

  /** The transfer's commands after the login (ftp_do). */
  protected abstract afterLogin(): CURLcode;

  /** A reply in a connect-phase state; undefined when `state` is no connect-phase state. */
  protected loginReply(code: number, text: string): CURLcode | undefined {
    const t = this.t;
    switch (this.state) {
      case 'greeting': {
        // 230: logged in already (no USER/PASS wanted), unless TLS must come first
        if (code === 230 && (t.opts.num(CURLOPT.USE_SSL) <= USESSL.TRY || this.fc.controlTls)) return this.loggedIn();
        if (code !== 220) {
          this.fc.ctlValid = false;
          return this.fail(CURLE.WEIRD_SERVER_REPLY, `Got a ${pad3(code)} ftp-server response when 220 was expected`);
        }
        const useSsl = t.opts.num(CURLOPT.USE_SSL);
        if (useSsl !== USESSL.NONE && !this.fc.controlTls) {
          const pick = t.opts.num(CURLOPT.FTPSSLAUTH);
          this.#authNext = pick === FTPAUTH.TLS ? 1 : 0;
          this.#authTries = 0;
          return this.cmd(`AUTH ${AUTH_NAMES[this.#authNext]}`, 'auth');
        }
        return this.sendUser();
      }
      case 'auth':
        return this.authReply(code);
      case 'user':
      case 'pass':
        return this.userReply(code);
      case 'acct':
        if (code !== 230) return this.fail(CURLE.FTP_WEIRD_PASS_REPLY, `ACCT rejected by server: ${pad3(code)}`);
        return this.loggedIn();
      case 'pbsz':
        // PROT C when only the control connection is to be protected
        return this.cmd(`PROT ${t.opts.num(CURLOPT.USE_SSL) === USESSL.CONTROL ? 'C' : 'P'}`, 'prot');
      case 'prot':
        if (Math.floor(code / 100) === 2) this.fc.dataTls = t.opts.num(CURLOPT.USE_SSL) !== USESSL.CONTROL;
        else if (t.opts.num(CURLOPT.USE_SSL) > USESSL.CONTROL) {
          return this.fail(CURLE.USE_SSL_FAILED, 'PROT P rejected: requested SSL level failed');
        }
        // FTP_SSL_CCC: clear the command channel after the login
        if (cccWanted(t)) return this.cmd('CCC', 'ccc');
        return this.cmd('PWD', 'pwd');
      case 'ccc': {
        // libcurl: a 5xx leaves TLS on and the login goes on; anything else shuts TLS down
        if (code >= 500) return this.cmd('PWD', 'pwd');
        const refused = this.pp.startClear(t.opts.num(CURLOPT.FTP_SSL_CCC) === CCC.ACTIVE, nowMs(), (s) => this.info(s));
        if (refused) {
          this.fc.ctlValid = false;
          return this.fail(refused.code, refused.message);
        }
        this.state = 'clear';
        return CURLE.OK;
      }
      case 'pwd': {
        if (code === 257) {
          const dir = parsePwd(text);
          if (dir === 'bad') return this.fail(CURLE.WEIRD_SERVER_REPLY, 'Weird PWD reply: an unterminated or broken path');
          if (dir === null) this.info('Failed to figure out path');
          else {
            this.fc.entryPath = dir;
            if (!dir.startsWith('/')) return this.cmd('SYST', 'syst');
            this.info(`Entry path is '${dir}'`);
          }
        }
        return this.connected();
      }
      case 'syst':
        if (code === 215 && /^215 OS\/400/.test(text)) return this.cmd('SITE NAMEFMT 1', 'namefmt');
        this.info(`Entry path is '${this.fc.entryPath}'`);
        return this.connected();
      case 'namefmt':
        // the name format changed: the entry path is asked again (libcurl does the same)
        if (Math.floor(code / 100) === 2) return this.cmd('PWD', 'pwd');
        return this.connected();
      default:
        return undefined;
    }
  }

  /** The connect phase is over: the transfer's commands begin. */
  protected connected(): CURLcode {
    this.fc.loggedIn = true;
    if (this.fc.entryPath !== null) setFtpEntryPath(this.t.easy, this.fc.entryPath);
    return this.afterLogin();
  }

  protected sendUser(): CURLcode {
    const c = ftpCredentials(this.t);
    this.fc.user = c.user;
    this.fc.password = c.password;
    this.fc.account = c.account;
    this.fc.loginKey = ftpLoginKey(this.t);
    this.#userSent = c.user;
    return this.cmd(`USER ${c.user}`, 'user');
  }

  protected authReply(code: number): CURLcode {
    const t = this.t;
    // anything the server sent after its answer would be taken as if it came over TLS (CVE-2021-22947)
    if (this.pp.buffered > 0) return this.fail(CURLE.WEIRD_SERVER_REPLY, 'Pipelining in response is forbidden');
    if (code === 234 || code === 334) {
      const refused = this.pp.startTls(this.controlTlsParams(), t.timing.start + connectTimeoutMs(t));
      if (refused) return this.fail(refused.code, refused.message);
      this.state = 'tls';
      return CURLE.OK;
    }
    if (this.#authTries < 1) {
      this.#authTries++;
      this.#authNext = 1 - this.#authNext;
      return this.cmd(`AUTH ${AUTH_NAMES[this.#authNext]}`, 'auth');
    }
    // curl 7.88 fails here with no message of its own: the code's text
    if (t.opts.num(CURLOPT.USE_SSL) > USESSL.TRY) return this.fail(CURLE.USE_SSL_FAILED, 'Requested SSL level failed');
    return this.sendUser();
  }

  /** The TLS handshake of AUTH TLS: then the login goes on over TLS. */
  protected tlsStep(): CURLcode {
    const s = this.pp.tlsStep(nowMs());
    if (s.kind === 'pending') return CURLE.OK;
    this.conn.tlsFacts = this.pp.tlsQuery('tls') ?? this.conn.tlsFacts;
    if (s.kind !== 'done') {
      this.fc.ctlValid = false;
      return this.fail(s.kind === 'failed' ? s.code : CURLE.SSL_CONNECT_ERROR, s.kind === 'failed' ? s.message : 'TLS upgrade failed');
    }
    this.t.timing.appconnect = nowMs();
    this.fc.controlTls = true;
    return this.sendUser();
  }

  /**
   * CCC's TLS shutdown (ftp.c's FTP_CCC state): once the connection is in
   * the clear, the login goes on with PWD. A failure leaves the control
   * connection in no state for a QUIT.
   */
  protected clearStep(): CURLcode {
    const s = this.pp.clearStep(nowMs());
    if (s.kind === 'pending') return CURLE.OK;
    if (s.kind === 'failed') {
      this.fc.ctlValid = false;
      return this.fail(s.code, s.message);
    }
    this.fc.controlTls = false;
    return this.cmd('PWD', 'pwd');
  }

  /** The TLS settings of the control connection (the data connection's, PROT P, are the same). */
  protected controlTlsParams(): TlsFilterParams {
    const t = this.t;
    return {
      host: t.url!.host, port: t.url!.port, config: tlsConfig(t.opts), sessions: this.env.sessionCacheFor(t),
      alpn: [], info: (text) => this.info(text), proxy: false, clearable: cccWanted(t),
    };
  }

  protected userReply(code: number): CURLcode {
    const t = this.t;
    if (code === 331 && this.state === 'user') return this.cmd(`PASS ${this.fc.password}`, 'pass');
    if (Math.floor(code / 100) === 2) return this.loggedIn();
    if (code === 332) {
      const acct = this.fc.account;
      if (acct === null) return this.fail(CURLE.LOGIN_DENIED, 'ACCT requested but none available');
      return this.cmd(`ACCT ${acct}`, 'acct');
    }
    const alt = t.opts.str(CURLOPT.FTP_ALTERNATIVE_TO_USER);
    if (alt !== null && !this.#triedAlternative) {
      this.#triedAlternative = true;
      return this.cmd(alt, 'user');
    }
    void this.#userSent;
    return this.fail(CURLE.LOGIN_DENIED, `Access denied: ${pad3(code)}`);
  }

  protected loggedIn(): CURLcode {
    if (this.fc.controlTls) return this.cmd('PBSZ 0', 'pbsz');
    return this.cmd('PWD', 'pwd');
  }

  /** Read the control connection: the next whole reply, handled; false while none is complete. */
  protected readReply(): { code: CURLcode; got: boolean } {
    const r = this.pp.read(nowMs());
    if (r.kind === 'pending') return { code: CURLE.OK, got: false };
    if (r.kind === 'failed') {
      this.fc.ctlValid = false;
      return { code: this.fail(r.code, r.message), got: false };
    }
    this.gotReply = true;
    this.t.responseCode = r.code;
    if (r.code === 421) {
      // the server is closing the control connection: libcurl's ftp_readresp takes it as a timeout
      this.info('We got a 421 - timeout!');
      this.fc.ctlValid = false;
      return { code: this.fail(CURLE.OPERATION_TIMEDOUT, 'We got a 421 - timeout!'), got: false };
    }
    const text = lineText(r.lines[r.lines.length - 1]!);
    return { code: this.dispatch(r.code, text, r.lines), got: true };
  }

  /** Handle a reply in the current state. */
  protected abstract dispatch(code: number, text: string, lines: Buffer[]): CURLcode;
}

const AUTH_NAMES = ['SSL', 'TLS'] as const;

export function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

/** FTP_RESPONSE_TIMEOUT / SERVER_RESPONSE_TIMEOUT(_MS): 0 means libcurl's 120 s. */
function responseTimeoutMs(t: Transfer): number {
  const ms = t.opts.num(CURLOPT.SERVER_RESPONSE_TIMEOUT_MS);
  if (ms > 0) return ms;
  return t.opts.num(CURLOPT.SERVER_RESPONSE_TIMEOUT) * 1000;
}

/**
 * The pingpong of a connection outlives its requests: its host forwards to
 * the request using it now (none: the QUIT at close is not traced).
 */
const hosts = new WeakMap<FtpConn, PingPongHost>();
function sharedHost(fc: FtpConn): PingPongHost {
  return {
    sent: (line) => hosts.get(fc)?.sent(line),
    received: (line) => hosts.get(fc)?.received(line) ?? CURLE.OK,
    counted: (bytes) => hosts.get(fc)?.counted?.(bytes),
  };
}

/** The request is over: its pingpong host lets go of it. */
export function detachHost(fc: FtpConn): void {
  hosts.delete(fc);
}
