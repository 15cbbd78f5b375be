// FTP's data connection (libcurl's SECONDARYSOCKET): made for each transfer
// beside the control connection, either by us to the address a PASV/EPSV
// reply gave (passive), or by the server to our listening socket after
// PORT/EPRT (active), then TLS on top when PROT P is in effect, with the
// control connection's TLS session offered (servers such as vsftpd demand
// that the data connection resumes it).
//
// Theory of operation. step() moves the connect along without blocking and
// says 'pending', 'ready' or why it failed; pollset() says what it waits
// for: the connecting socket (OUT), the listening socket (IN), the TLS
// handshake (OUT). Once ready, `transport` is the data socket. Every socket
// made here is closed through `discard` (the engine's discardTransport: the
// application sees CURL_POLL_REMOVE first).
import { CURLE, easyStrerror, type CURLcode } from '../../codes.js';
import { CURL_POLL } from '../../constants.js';
import { TcpConnector } from '../../cf/tcp-connector.js';
import { TlsFilter, type TlsFilterParams } from '../../cf/tls-filter.js';
import type { FilterChain } from '../../cf/filter.js';
import { StreamTransport } from '../../transport/stream-transport.js';
import type { PollEntry, Transport } from '../../transport/transport.js';
import type { ResolvedAddress } from '../../dns/resolver.js';
import { ListenTransport } from './ftp-listen.js';

export type DataStep = { kind: 'pending' } | { kind: 'ready' } | { kind: 'failed'; code: CURLcode; message: string };

const PENDING: DataStep = Object.freeze({ kind: 'pending' });
const READY: DataStep = Object.freeze({ kind: 'ready' });

export interface DataEnv {
  discard(tr: Transport): void;
  info(text: string): void;
  /** a passive data connection's TCP connect succeeded (libcurl counts it in NUM_CONNECTS) */
  connected(): void;
  /**
   * What curl 7.88 says once the passive data connection is up: its
   * Curl_verboseconnect() names the connection, not the socket, so the line
   * is the control connection's "Connected to HOST (IP) port PORT (#N)".
   */
  connectedLine: string;
  /** the connection's host and port as its failf names them when the data connect fails (the control connection's) */
  shown: { host: string; port: number };
  noDelay: boolean;
  /** TLS for the data connection (PROT P), null: plain */
  tls: TlsFilterParams | null;
}

/** The way to a passive data port through the transfer's proxies (libcurl's SECONDARYSOCKET filters). */
export interface DataVia {
  /** the first proxy's address and port (the control connection's peer) */
  firstHop: ResolvedAddress;
  firstHopPort: number;
  /** the proxy filters over the connected socket, leading to the data port */
  chain(tr: StreamTransport): FilterChain;
}

export class DataConnection {
  readonly #env: DataEnv;
  #connector: TcpConnector | null = null;
  #listener: ListenTransport | null = null;
  #tls: TlsFilter | null = null;
  #via: DataVia | null = null;
  /** the proxy filters (SOCKS, CONNECT) on the way to the data port */
  #proxies: FilterChain | null = null;
  #tlsDone = false;
  transport: StreamTransport | null = null;
  /** passive: where it connects; active: where it listens */
  readonly host: string;
  readonly port: number;
  #poll: PollEntry[] = [];
  /** when the passive connect began (the failure message says how long it took) */
  #started = 0;

  private constructor(env: DataEnv, host: string, port: number) {
    this.#env = env;
    this.host = host;
    this.port = port;
  }

  /**
   * Passive mode: connect to host:port now; through the transfer's proxies
   * when `via` says so (the socket goes to the first proxy, the chain's
   * SOCKS handshake or CONNECT leads on to host:port).
   */
  static connect(env: DataEnv, host: string, family: 4 | 6, port: number, now: number, via: DataVia | null = null): DataConnection {
    const d = new DataConnection(env, host, port);
    const addrs: ResolvedAddress[] = via ? [via.firstHop] : [{ address: host, family }];
    d.#via = via;
    const to = via ? via.firstHopPort : port;
    // the socket filter's "  Trying IP:PORT..." as for any connect
    const onTrying = (a: ResolvedAddress): void => env.info(`  Trying ${a.family === 6 ? `[${a.address}]` : a.address}:${to}...`);
    d.#connector = new TcpConnector(addrs, { port: to, noDelay: env.noDelay, discard: env.discard, onTrying, trace: env.info }, now);
    d.#started = now;
    return d;
  }

  /** Active mode: the listening socket the server will connect to. */
  static listen(env: DataEnv, l: ListenTransport): DataConnection {
    const d = new DataConnection(env, l.address, l.port);
    d.#listener = l;
    return d;
  }

  /** Connected to the first proxy, the tunnel to the data port not through yet. */
  get tunneling(): boolean {
    return this.#proxies !== null && !this.#proxies.connected;
  }

  /** active mode: waiting for the server's connection was announced */
  #acceptStarted = false;

  /** Active mode: the listening socket, while it is there. */
  get listener(): ListenTransport | null {
    return this.#listener;
  }

  /** Active mode, still waiting for the server's connection. */
  get isListening(): boolean {
    return this.#listener !== null;
  }

  /** Connected (passive) or accepted (active), and TLS done when asked for. */
  get ready(): boolean {
    return this.transport !== null && !this.tunneling && (this.#env.tls === null || this.#tlsDone);
  }

  /**
   * Passive: finish the TCP connect. Active: accept the server's connection.
   * Then TLS. Accepting and TLS wait for `go` (the 150: libcurl starts the
   * data connection's handshake only once the server was told to use it).
   */
  step(now: number, go: boolean): DataStep {
    if (this.#connector) {
      const s = this.#connector.step(now);
      if (s.kind === 'pending') return this.#setPoll(this.#connector.pollset(), PENDING);
      this.#connector = null;
      if (s.kind === 'failed') {
        // the connect filter's failf, as for the control connection (states-connect.ts): curl 7.88 names
        // the connection's host and port there, not the data port
        const code = s.code ?? CURLE.COULDNT_CONNECT;
        const why = code !== CURLE.COULDNT_CONNECT || s.message === 'Connection refused' ? easyStrerror(code) : s.message;
        const ms = Math.max(0, Math.floor(now - this.#started));
        return { kind: 'failed', code, message: `Failed to connect to ${this.#env.shown.host} port ${this.#env.shown.port} after ${ms} ms: ${why}` };
      }
      // a TCP connector's result always carries a stream transport (only the UDP connector's a datagram)
      if (!('transport' in s)) return { kind: 'failed', code: CURLE.COULDNT_CONNECT, message: 'FTP data connection is not a stream' };
      this.transport = s.transport;
      this.#env.connected();
      this.#env.info(this.#env.connectedLine);
      if (this.#via) this.#proxies = this.#via.chain(s.transport);
    }
    if (this.#proxies && !this.#proxies.connected) {
      const p = this.#proxies.connect(now);
      if (p.kind === 'pending') return this.#setPoll(this.#proxies.pollset(), PENDING);
      if (p.kind === 'failed') return { kind: 'failed', code: p.code, message: p.message };
      // a proxy that wants a new connection (a 407 it closed after) fails the data connection
      if (p.kind === 'reconnect') return { kind: 'failed', code: CURLE.COULDNT_CONNECT, message: 'Proxy CONNECT aborted' };
    }
    if (this.#listener) {
      // before the 150 the connection is not taken (it may be early): the control connection is watched instead
      if (!go) return this.#setPoll([], PENDING);
      const l = this.#listener;
      // curl 7.88's AllowServerConnect says the first line once, ReceivedServerConnect the second at each look
      if (!this.#acceptStarted) {
        this.#acceptStarted = true;
        this.#env.info('Preparing for accepting server on data port');
      }
      this.#env.info('Checking for server connect');
      if (l.error) return { kind: 'failed', code: CURLE.FTP_ACCEPT_FAILED, message: `Error accept()ing server connect: ${l.error.message}` };
      const sock = l.accept();
      if (sock === null) return this.#setPoll([{ transport: l, what: CURL_POLL.IN }], PENDING);
      this.#env.info('Ready to accept data connection from server');
      // the listening socket goes away once the one connection it was for came in
      this.#listener = null;
      this.#env.discard(l);
      if (this.#env.noDelay) sock.setNoDelay(true);
      this.transport = new StreamTransport(sock, true);
      sock.resume();
      this.#env.info('Connection accepted from server');
    }
    if (this.#env.tls && !this.#tlsDone) {
      if (!go) return this.#setPoll([], PENDING);
      this.#tls ??= new TlsFilter(this.transport!, this.#env.tls);
      const s = this.#tls.connect(now);
      if (s.kind === 'pending') return this.#setPoll(this.#tls.pollset(), PENDING);
      if (s.kind === 'failed') return { kind: 'failed', code: s.code, message: s.message };
      if (s.kind === 'reconnect') return { kind: 'failed', code: CURLE.SSL_CONNECT_ERROR, message: 'TLS on the data connection failed' };
      this.#tlsDone = true;
    }
    return READY;
  }

  /** The time the connect wants to run again (happy eyeballs), or undefined. */
  nextTimeout(): number | undefined {
    return this.#connector?.nextTimeout() ?? this.#proxies?.nextTimeout();
  }

  #setPoll(p: PollEntry[], r: DataStep): DataStep {
    this.#poll = p;
    return r;
  }

  /** What the connect waits for now (empty once ready). */
  pollset(): PollEntry[] {
    return this.ready ? [] : this.#poll;
  }

  /** Close every socket of it (the registry hears REMOVE first). Idempotent. */
  close(): void {
    this.#proxies?.abort();
    this.#proxies = null;
    this.#connector?.abort();
    this.#connector = null;
    if (this.#listener) this.#env.discard(this.#listener);
    this.#listener = null;
    if (this.transport) this.#env.discard(this.transport);
    this.transport = null;
    this.#poll = [];
  }
}
