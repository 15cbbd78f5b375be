// What IMAP, POP3 and SMTP share besides the SASL dialogue: the per-connection
// session (its pingpong, whether it speaks TLS and is logged in), the
// credentials and LOGIN_OPTIONS, the pingpong host that traces the dialogue
// and hands the server's lines to the header callback, and the STARTTLS
// parameters.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLINFO_TYPE } from '../../constants.js';
import { CURLOPT } from '../../easy/option-table.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import { PingPong, type PingPongOptions } from '../pingpong.js';
import { HostAuth } from '../../auth/host-auth.js';
import { CLIENTWRITE } from '../../cw/client-write.js';
import { traceData } from '../../util/trace.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import { tlsConfig } from '../../cf/tls-connect.js';
import type { TlsFilterParams } from '../../cf/tls-filter.js';
import { nowMs } from '../../util/clock.js';
import { SaslSession, type SaslParams } from '../../auth/sasl.js';
import { optionCredentials } from '../redirect.js';

/** CURLOPT_USE_SSL's values. */
export const CURLUSESSL = { NONE: 0, TRY: 1, CONTROL: 2, ALL: 3 } as const;

/** What one mail connection keeps between its transfers (libcurl's conn->proto.imapc/pop3c/smtpc). */
export interface MailSession {
  pp: PingPong;
  /** the connection speaks TLS (implicitly, or after STARTTLS) */
  tls: boolean;
  /** greeting read, capabilities learnt, logged in: the next transfer goes straight to its command */
  ready: boolean;
  /** IMAP: the mailbox selected and its UIDVALIDITY, for the next transfer on the connection */
  mailbox: string | null;
  uidvalidity: string | null;
  /** the connection logged in with SASL (SMTP's MAIL_AUTH needs it) */
  saslUsed: boolean;
  /** IMAP: the tag counter */
  cmdid: number;
  /** who the connection logs in as: the user, password, bearer and authzid, as one key */
  login: string;
}

const sessions = new WeakMap<Connection, MailSession>();

/** Who a transfer logs in as, as one key (the fields libcurl's ConnectionExists compares). */
function mailLogin(t: Transfer): string {
  const c = mailCredentials(t).creds;
  // login options (";AUTH=...") are not part of it: libcurl reuses the connection across them (case 1982)
  return JSON.stringify([c.user, c.passwd, c.bearer, c.authzid]);
}

/**
 * The mail handlers' connectionFit: an idle connection serves only a transfer that logs in as the
 * same user with the same password, bearer and authzid (libcurl's ConnectionExists
 * for protocols without PROTOPT_CREDSPERREQUEST); another user gets a connection of its own.
 */
export function mailConnectionFit(t: Transfer): (c: Connection) => 0 | 2 {
  const login = mailLogin(t);
  return (c) => (sessions.get(c)?.login === login ? 2 : 0);
}

/** The session of a connection, or null before its first mail request. */
export function sessionOf(conn: Connection): MailSession | null {
  return sessions.get(conn) ?? null;
}

/** The pingpong host of a transfer: the trace, and each server line to the header callback. */
function ppHost(t: Transfer, guard: CallbackGuard): ConstructorParameters<typeof PingPong>[2] {
  return {
    sent: (line) => traceData(guard, t, CURLINFO_TYPE.HEADER_OUT, line),
    received: (line) => {
      traceData(guard, t, CURLINFO_TYPE.HEADER_IN, line);
      // libcurl's pingpong writes CLIENTWRITE_HEADER, which reaches the body stream only
      // where HTTP adds BODY for CURLOPT_HEADER: here that is INFO (header callback only)
      const c = t.writers.write(CLIENTWRITE.INFO, Buffer.from(line));
      return typeof c === 'number' ? c : CURLE.OK;
    },
    // CURLINFO_HEADER_SIZE: what libcurl's pingpong counts as read, a body that came with a response included
    counted: (bytes) => {
      t.headerSize += bytes;
    },
  };
}

/**
 * A new session on a connection that has none, with the protocol's
 * end-of-response test. The pingpong's host follows the transfer that uses
 * the connection now (rebind() on reuse).
 */
export function newSession(t: Transfer, conn: Connection, guard: CallbackGuard, endOfResponse: PingPongOptions['endOfResponse'], tls: boolean): MailSession {
  const timeout = t.opts.num(CURLOPT.SERVER_RESPONSE_TIMEOUT_MS) || t.opts.num(CURLOPT.SERVER_RESPONSE_TIMEOUT) * 1000;
  const host = { current: ppHost(t, guard), endOfResponse };
  const pp = new PingPong(conn.transport!, { endOfResponse: (l) => host.endOfResponse(l), responseTimeoutMs: timeout }, {
    sent: (l) => host.current.sent(l),
    received: (l) => host.current.received(l),
    counted: (n) => host.current.counted?.(n),
  }, nowMs());
  const s: MailSession = { pp, tls, ready: false, mailbox: null, uidvalidity: null, saslUsed: false, cmdid: 0, login: mailLogin(t) };
  sessions.set(conn, s);
  hosts.set(s, host);
  return s;
}

/** Who the session's pingpong reports to: the request that uses the connection now. */
const hosts = new WeakMap<MailSession, { current: ReturnType<typeof ppHost>; endOfResponse: PingPongOptions['endOfResponse'] }>();

/** A reused session now serves `t`: its trace and header lines go to `t`, its responses are judged by `t`'s request. */
export function rebind(s: MailSession, t: Transfer, guard: CallbackGuard, endOfResponse: PingPongOptions['endOfResponse']): void {
  const h = hosts.get(s);
  if (h) {
    h.current = ppHost(t, guard);
    h.endOfResponse = endOfResponse;
  }
  s.pp.restartClock(nowMs());
}

export interface MailCredentials {
  /** null: no user name at all */
  user: string | null;
  passwd: string;
  bearer: string | null;
  authzid: string;
}

/** The user, password and token for the transfer's host (USERPWD/USERNAME beat the URL's; .netrc). */
export function mailCredentials(t: Transfer): { code: CURLcode; message?: string; creds: MailCredentials } {
  const o = t.opts;
  const url = t.url!;
  const given = optionCredentials(t);
  const auth = new HostAuth({
    httpAuth: 0, username: given.username, password: given.password,
    bearer: given.bearer, netrc: o.num(CURLOPT.NETRC), netrcFile: o.str(CURLOPT.NETRC_FILE),
    awsSigV4: null, failOnError: false,
  });
  const r = auth.credentials(url.host, url.user, url.password);
  // libcurl refuses control codes in .netrc credentials for protocols that put them on a command line
  if (r.code === CURLE.OK && r.creds.fromNetrc && /[\x00-\x1f\x7f]/.test((r.creds.user ?? '') + (r.creds.password ?? ''))) {
    return { code: CURLE.READ_ERROR, message: 'control code detected in .netrc credentials', creds: { user: null, passwd: '', bearer: null, authzid: '' } };
  }
  const creds: MailCredentials = {
    user: r.creds.user, passwd: r.creds.password ?? '', bearer: r.creds.bearer, authzid: o.str(CURLOPT.SASL_AUTHZID) ?? '',
  };
  return { code: r.code, message: r.message, creds };
}

/** LOGIN_OPTIONS, else the URL's ";options" part, split into key/value pairs at ';'. */
export function loginOptions(t: Transfer): Array<{ key: string; value: string }> {
  const text = t.opts.str(CURLOPT.LOGIN_OPTIONS) ?? t.url!.options ?? '';
  const out: Array<{ key: string; value: string }> = [];
  if (text === '') return out;
  // bounded by the text's ';'-separated items
  for (const item of text.split(';')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    out.push(eq < 0 ? { key: item, value: '' } : { key: item.slice(0, eq + 1), value: item.slice(eq + 1) });
  }
  return out;
}

/** The parameters of a STARTTLS upgrade to the URL's host. */
export function startTlsParams(t: Transfer, info: (text: string) => void): TlsFilterParams {
  const url = t.url!;
  return { host: url.host, port: url.port, config: tlsConfig(t.opts), sessions: null, alpn: [], info, proxy: false };
}

/** The USE_SSL level (CURLUSESSL_*). */
export function useSsl(t: Transfer): number {
  return t.opts.num(CURLOPT.USE_SSL);
}

/** The transfer's SASL session: its credentials for the URL's host and port, SASL_IR as set. */
export function mailSasl(t: Transfer, params: SaslParams, creds: MailCredentials): SaslSession {
  const url = t.url!;
  return new SaslSession(params, { ...creds, host: url.host, port: url.port }, t.opts.num(CURLOPT.SASL_IR) !== 0);
}
