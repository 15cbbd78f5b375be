// One SSH connection of a transfer: ssh2's Client over the connection's
// transport (transport-duplex.ts), the host key check, authentication, and
// the translation of ssh2's errors into CURLcodes with libcurl's messages.
//
// Theory of operation. start() makes the Client and hands it the Duplex;
// pump() (called from the request's step(), so from inside the library)
// moves what the transport received into ssh2, whose parser runs
// synchronously: host key verification (checkHostKey, which may call
// SSH_KEYFUNCTION), authentication (AuthPlan) and whatever SFTP or channel
// callbacks the bytes complete all run inside pump(). ssh2's events only
// record: `ready` once authenticated, `failure` for the first error. The
// handshake and authentication are libcurl's PROTOCONNECT: the requests say
// they are `loggingIn` until `ready`, and the engine ends them when
// CURLOPT_CONNECTTIMEOUT(_MS) runs out, with libcurl's message there.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURL_POLL } from '../../constants.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import { traceText } from '../../util/trace.js';
import { nowMs } from '../../util/clock.js';
import { HostAuth } from '../../auth/host-auth.js';
import { CURLKHMATCH, CURLKHSTAT, CURLSSH_AUTH, type SshHostKeyCallback, type SshKeyCallback } from '../../easy/ssh-callbacks.js';
import { TransportDuplex } from './transport-duplex.js';
import { AuthPlan } from './ssh-auth.js';
import { checkHostKey, type HostKeyVerdict } from './host-key-check.js';
import { KnownHosts, algorithmsFor } from './known-hosts.js';
import { ssh2, ssh2Ready, type ClientConfig, type SftpSession, type SshClient } from './ssh2-lib.js';
import { optionCredentials } from '../redirect.js';

/** Receives per pump() at most (bounded work per step). */
const MAX_READS = 64;
/** How soon to look again while ssh2 is not listening to its socket yet. */
const LISTEN_POLL_MS = 2;

/** The user and password a transfer logs in with: USERNAME/PASSWORD, the URL's, .netrc (libcurl's order). */
function credentials(t: Transfer): ReturnType<HostAuth['credentials']> {
  const o = t.opts;
  const url = t.url!;
  const given = optionCredentials(t);
  return new HostAuth({
    httpAuth: 1, username: given.username, password: given.password, bearer: null,
    netrc: o.num(CURLOPT.NETRC), netrcFile: o.str(CURLOPT.NETRC_FILE), awsSigV4: null, failOnError: false,
  }).credentials(url.host, url.user, url.password);
}

/**
 * The login a transfer would use, as one key: the user, the password and the key files (libcurl's
 * ssh_config_matches, CVE-2023-27538). A pooled connection serves only the same key. JSON keeps the
 * parts apart: "a:b" + "c" and "a" + "b:c" are two logins.
 */
export function sshLogin(t: Transfer): string {
  const c = credentials(t).creds;
  const o = t.opts;
  return JSON.stringify([c.user ?? '', c.password ?? '', o.str(CURLOPT.SSH_PUBLIC_KEYFILE), o.str(CURLOPT.SSH_PRIVATE_KEYFILE)]);
}

export interface Failure {
  code: CURLcode;
  message: string;
}

export class SshSession {
  #t: Transfer;
  readonly #conn: Connection;
  #guard: CallbackGuard;
  /** the credentials it logged in with: a connection serves the next transfer only for the same ones */
  #login = '';
  /** bytes arrived for the current transfer (a reused connection that died is retried only before any) */
  #sawForRequest = false;
  /** SFTP: the subsystem channel and the home directory, kept for the connection's next transfer */
  sftp: SftpSession | null = null;
  home = '';
  #duplex: TransportDuplex | null = null;
  client: SshClient | null = null;
  #auth: AuthPlan | null = null;
  #hostVerdict: HostKeyVerdict | null = null;
  #sawBytes = false;
  #eof = false;
  /** authenticated: the request may open channels */
  ready = false;
  /** the first error, with libcurl's code and message */
  failure: Failure | null = null;
  #config: Omit<ClientConfig, 'sock'> | null = null;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard) {
    this.#t = t;
    this.#conn = conn;
    this.#guard = guard;
  }

  info(text: string): void {
    traceText(this.#guard, this.#t, text);
  }

  get receivedAnything(): boolean {
    return this.#sawForRequest;
  }

  /**
   * The session an idle connection kept for the next transfer (libcurl
   * reuses SSH connections), bound to that transfer; null when it has none
   * that still works.
   */
  static reuse(conn: Connection, t: Transfer, guard: CallbackGuard): SshSession | null {
    const s = conn.protoSession;
    if (!(s instanceof SshSession) || !s.ready || s.failure || !s.client) return null;
    s.#t = t;
    s.#guard = guard;
    s.#sawForRequest = false;
    return s;
  }

  /** Whether this session logged in as `login` (sshLogin()). */
  loggedInAs(login: string): boolean {
    return this.ready && !this.failure && this.#login === login;
  }

  /** The transfer ended well: the connection keeps the session for the next one. */
  keep(): void {
    this.#conn.protoSession = this;
  }

  start(): CURLcode {
    const t = this.#t;
    const o = t.opts;
    const url = t.url!;
    const creds = credentials(t);
    if (creds.code !== CURLE.OK) {
      t.fail(creds.code, creds.message ?? '');
      return creds.code;
    }
    this.#login = sshLogin(t);
    const types = o.has(CURLOPT.SSH_AUTH_TYPES) ? o.num(CURLOPT.SSH_AUTH_TYPES) : CURLSSH_AUTH.ANY;
    const privateKeyFile = o.str(CURLOPT.SSH_PRIVATE_KEYFILE);
    const pub = o.str(CURLOPT.SSH_PUBLIC_KEYFILE);
    this.#auth = new AuthPlan({
      user: creds.creds.user ?? '', password: creds.creds.password ?? '', types,
      privateKeyFile, publicKeyFile: pub ? pub : null, passphrase: o.str(CURLOPT.KEYPASSWD) ?? '',
      home: process.env['HOME'] ?? null,
      agentSocket: process.env['SSH_AUTH_SOCK'] || null,
    }, (s) => this.info(s));
    const khFile = o.str(CURLOPT.SSH_KNOWNHOSTS);
    let kh: KnownHosts | null = null;
    const algorithms: { serverHostKey?: string[]; compress?: string[] } = {};
    if (khFile !== null) {
      kh = KnownHosts.read(khFile);
      if (!kh) {
        this.info(`Failed to read known hosts from ${khFile}`);
        kh = new KnownHosts();
      }
      if (o.str(CURLOPT.SSH_HOST_PUBLIC_KEY_MD5) === null) {
        // ssh_force_knownhost_key_type: negotiate the key type the file has for the host
        const e = kh.typeEntry(url.host, url.port);
        if (e === null) this.info(`Did not find host ${url.host} in ${khFile}`);
        else if (e !== 'invalid') {
          this.info(`Found host ${url.host} in ${khFile}`);
          this.info(`Set "${e.type}" as SSH hostkey type`);
          algorithms.serverHostKey = algorithmsFor(e.type);
        }
      }
    }
    if (o.num(CURLOPT.SSH_COMPRESSION)) algorithms.compress = ['zlib@openssh.com', 'zlib', 'none'];
    const keyfunc = o.get(CURLOPT.SSH_KEYFUNCTION) as SshKeyCallback | null;
    const hostkeyfunc = o.get(CURLOPT.SSH_HOSTKEYFUNCTION) as SshHostKeyCallback | null;
    const hostkeydata = o.get(CURLOPT.SSH_HOSTKEYDATA);
    const keydata = o.get(CURLOPT.SSH_KEYDATA);
    const policy = {
      host: url.host, khPort: url.port === 22 ? -1 : url.port,
      md5: o.str(CURLOPT.SSH_HOST_PUBLIC_KEY_MD5), sha256: o.str(CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256),
      knownHostsFile: khFile, knownHosts: kh,
      hostkeyfunc: hostkeyfunc
        ? (keytype: number, key: Buffer): number => {
          try {
            return this.#guard.inCallback(() => hostkeyfunc(hostkeydata, keytype, key, key.length));
          } catch {
            return CURLKHMATCH.MISMATCH; // a throwing callback refuses
          }
        }
        : null,
      keyfunc: keyfunc
        ? (known: Parameters<SshKeyCallback>[1], found: Parameters<SshKeyCallback>[2], match: number): number => {
          try {
            return this.#guard.inCallback(() => keyfunc(t.easy as Parameters<SshKeyCallback>[0], known, found, match, keydata));
          } catch {
            return CURLKHSTAT.REJECT; // a throwing callback rejects
          }
        }
        : null,
      info: (s: string) => this.info(s),
    };
    this.#config = {
      username: creds.creds.user ?? '',
      authHandler: this.#auth.handler,
      hostVerifier: (key: Buffer) => {
        this.#hostVerdict = checkHostKey(policy, key);
        return this.#hostVerdict.ok;
      },
      // the engine's timers bound the handshake; ssh2 keeps no timers of its own
      readyTimeout: 0,
      keepaliveInterval: 0,
      ...(algorithms.serverHostKey || algorithms.compress ? { algorithms } : {}),
    };
    return ssh2Ready() ? this.#connect() : CURLE.OK;
  }

  /** Hand ssh2 the connection (once its crypto setup is done). */
  #connect(): CURLcode {
    const transport = this.#conn.transport!;
    const duplex = this.#duplex = new TransportDuplex(transport);
    const client = this.client = new (ssh2().Client)();
    client.on('ready', () => {
      this.ready = true;
      this.#auth?.succeeded();
    });
    client.on('error', (err: Error & { level?: string }) => this.#onError(err));
    // an error on the Duplex reaches ssh2 as 'error' too; nothing else listens to it
    duplex.on('error', () => {});
    try {
      client.connect({ ...this.#config!, sock: duplex });
    } catch (err) {
      return this.fail(CURLE.SSH, `Failure establishing ssh session: ${(err as Error).message}`);
    }
    return CURLE.OK;
  }

  #onError(err: Error & { level?: string }): void {
    if (this.failure) return;
    // the agent could not sign with one of its keys: ssh2 goes on with the next
    if (err.level === 'agent') return;
    if (this.#hostVerdict && !this.#hostVerdict.ok) {
      this.failure = { code: this.#hostVerdict.code, message: this.#hostVerdict.message };
    } else if (err.level === 'client-authentication') {
      this.failure = { code: CURLE.LOGIN_DENIED, message: 'Authentication failure' };
    } else if (!this.ready && !this.#sawBytes) {
      this.failure = { code: CURLE.FAILED_INIT, message: `Failure establishing ssh session: -13, Failed getting banner` };
    } else if (!this.ready) {
      this.failure = { code: CURLE.FAILED_INIT, message: `Failure establishing ssh session: ${err.message}` };
    } else {
      this.failure = { code: CURLE.SSH, message: err.message };
    }
  }

  fail(code: CURLcode, message: string): CURLcode {
    this.failure ??= { code, message };
    if (message) this.#t.fail(code, message);
    return code;
  }

  /**
   * Move received bytes into ssh2 (its callbacks run now). Returns the
   * failure's code once something failed.
   */
  pump(): CURLcode {
    const transport = this.#conn.transport!;
    if (this.#duplex === null && !this.failure && this.#config && ssh2Ready()) {
      const c = this.#connect();
      if (c !== CURLE.OK) return c;
    }
    // the ssh-agent's answer, when it came since the last step
    this.#auth?.step();
    const duplex = this.#duplex;
    for (let i = 0; duplex && i < MAX_READS && !this.failure && !this.#eof && duplex.listening; i++) {
      const r = transport.recv();
      if (r.kind === 'again') break;
      if (r.kind === 'data') {
        this.#sawBytes = true;
        this.#sawForRequest = true;
        // the transport may lend reused memory; ssh2 may keep a partial packet
        duplex.feed(transport.volatileRecv ? Buffer.from(r.data) : r.data);
        continue;
      }
      this.#eof = true;
      if (r.kind === 'error') this.#onError(Object.assign(r.error, { level: 'client-socket' }));
      else if (!this.ready && !this.failure) this.#onError(new Error('Connection closed'));
      else if (!this.failure) this.failure = { code: CURLE.SSH, message: 'Connection closed by the server' };
      duplex.feedEnd();
    }
    if (this.failure) return this.fail(this.failure.code, this.failure.message);
    return CURLE.OK;
  }

  /**
   * What the session waits for on the socket. Not IN while ssh2 does not
   * listen yet (received bytes wait in the transport; `wakeAt` comes back).
   */
  pollWhat(): number {
    const tr = this.#conn.transport;
    const out = tr && tr.writeBlocked ? CURL_POLL.OUT : 0;
    return this.#listening ? CURL_POLL.IN | out : out;
  }

  get #listening(): boolean {
    return this.#duplex !== null && (this.#duplex.listening || this.#eof);
  }

  /** Sending would only queue more in Node: hold new writes. */
  get writeBlocked(): boolean {
    return this.#conn.transport?.writeBlocked ?? false;
  }

  get wakeAt(): number | null {
    if (this.failure) return null;
    // waiting for ssh2 to start listening (its crypto setup, its microtask), or for
    // the ssh-agent's answer (a socket of ssh2's, not the engine's): look again soon
    if (!this.#listening || this.#auth?.waiting) return nowMs() + LISTEN_POLL_MS;
    return null;
  }

  /** Say goodbye (SSH_MSG_DISCONNECT) and let go of ssh2; the engine closes the connection. */
  close(): void {
    if (this.#conn.protoSession === this) this.#conn.protoSession = null;
    this.#auth?.close();
    this.sftp = null;
    const c = this.client;
    if (!c) return;
    this.client = null;
    try {
      if (!this.#eof && !this.failure) c.end();
    } catch {
      // already gone
    }
    c.removeAllListeners();
    c.on('error', () => {});
    this.#duplex?.removeAllListeners('data');
    this.#duplex = null;
  }
}
