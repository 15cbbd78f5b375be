// The protocol handler interface: libcurl's struct Curl_handler, shaped for
// a non-blocking JavaScript engine. One handler per scheme (http and https
// are two handlers sharing one implementation, as in libcurl); the multi
// state machine (src/multi/states.ts) calls these hooks and never names a
// protocol itself.
//
// Theory of operation. INIT looks the URL's scheme up in the registry
// (src/proto/registry.ts); an unknown or unbuilt scheme ends the transfer
// with CURLE_UNSUPPORTED_PROTOCOL there. setup() runs once per request, when
// the URL is known (libcurl's setup_connection). A handler with
// PROTOPT.NONETWORK (file:) skips resolving and connecting; the others get a
// connected connection, with TLS when PROTOPT.SSL says so. In DO the engine
// asks the handler for the request object (libcurl's do_it), which then
// carries all protocol-specific per-request state: start() sends, step()
// progresses it in PERFORMING (libcurl's readwrite), pollWhat() says what it
// waits for on the socket (the perform_getsock hook), and done/reusable tell
// the engine when it is over and whether the connection can be kept; abort()
// lets go of what it holds besides the connection when the engine drops it.
// What a protocol keeps across the requests of one transfer (authentication,
// a method switched by a redirect) is in its own object in the transfer's
// protocol slot (Transfer.protoState, a ProtocolState made by setup()), not
// on the Transfer.
import type { CURLcode } from '../codes.js';
import type { Connection } from '../conn/connection.js';
import type { ConnectionFit } from '../conn/pool.js';
import type { Transfer } from '../multi/transfer.js';
import type { TransferUrl } from '../url/parse-url.js';
import type { PollEntry } from '../transport/transport.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import type { H2Stream, PushAnswer } from '../h2/session.js';

/** A server push offered to the multi's PUSHFUNCTION: `parent` is the transfer whose stream it came on. */
export type PushHook = (parent: Transfer, stream: H2Stream, headers: [string, string][]) => PushAnswer;
import type { Transport } from '../transport/transport.js';
import type { TlsSessionCache } from '../vtls/tls-session-cache.js';
import type { DnsCache } from '../dns/resolver.js';

/**
 * What the engine offers a protocol request beyond running callbacks (the
 * engine passes itself): sockets a request opens besides its connection
 * (FTP's data connection) are closed through discardTransport(), so the
 * application hears CURL_POLL_REMOVE before the number goes.
 */
export interface ProtocolEnv extends CallbackGuard {
  /** Unregister (REMOVE) and close a transport the request made. */
  discardTransport(tr: Transport): void;
  /** The TLS session cache the transfer uses (its share's or the multi's). */
  sessionCacheFor(t: Transfer): TlsSessionCache;
  /** The DNS cache the transfer uses. */
  dnsCacheFor(t: Transfer): DnsCache;
  /** A verbose info line for the transfer. */
  trace(t: Transfer, text: string): void;
  /** The connection started speaking HTTP/2 mid-request (an h2c Upgrade): other transfers may take streams on it. */
  connectionMultiplexes(t: Transfer, conn: Connection): void;
}

/** Handler flags (libcurl's PROTOPT_*; only those this engine acts on). */
export const PROTOPT = {
  /** the connection speaks TLS from the start (https, wss, ftps) */
  SSL: 1 << 0,
  /** no network connection: the handler does its own I/O (file) */
  NONETWORK: 1 << 4,
  /** the connection is never put back in the pool (file, CONNECT_ONLY) */
  NOREUSE: 1 << 20,
  /**
   * the protocol speaks UDP (libcurl's handler->transport = TRNSPRT_UDP;
   * tftp): the connection is a bound datagram socket (Connection.datagram),
   * with no proxy and no filters above it; the request reports it in pollset()
   */
  UDP: 1 << 21,
} as const;

/** A failure found before any I/O. */
export interface SetupFailure {
  code: CURLcode;
  message: string;
}

/**
 * The protocol's state for one request of one transfer (libcurl keeps it in
 * data->req.p.<protocol>). Everything here runs without blocking.
 */
export interface ProtocolRequest {
  /** DO: assemble and queue the request (libcurl's do_it). */
  start(): CURLcode;
  /** PERFORMING: send and receive what can be sent and received now. */
  step(): CURLcode;
  /** the response is complete and nothing is left to send */
  readonly done: boolean;
  /** the connection can carry another request afterwards */
  readonly reusable: boolean;
  /**
   * The request failed, but the connection is still in step and can serve
   * the next transfer (FTP: a 550 to RETR leaves the control connection
   * fine, libcurl's ftp_done). Absent or false: a failure closes it.
   */
  readonly reusableAfterError?: boolean;
    /** CURL_POLL bits the request waits for on the connection's socket (0: nothing) */
  pollWhat(): number;
  /**
   * The sockets the request waits on when they are not just the connection's
   * own (FTP's data connection or its listening socket beside the control
   * connection; libcurl's perform_getsock filling several slots). When
   * present the engine uses it instead of pollWhat() on the connection's
   * transport. Must return the same array object when nothing changed, so the
   * registry sees an unchanged pollset cheaply.
   */
  pollset?(): PollEntry[];
  /**
   * A time at which the request must run even without I/O (nowMs() clock;
   * HTTP's wait for 100 Continue; a handler without a socket that has more
   * to do answers "now"), or null.
   */
  readonly wakeAt: number | null;
  /**
   * A socket event on the connection has nothing for this request now (an
   * HTTP/2 stream without events on a connection shared by many): the
   * engine does not run it for that event. Absent: always run.
   */
  quiet?(): boolean;
  /** Received bytes the request keeps must stop being views of reused memory (end of a run). */
  retainReceived(): void;
  /** The application unpaused receiving: deliver what was held, then go on. */
  resume(): CURLcode;
  /** any byte of the response came back (a dead reused connection is retried only before that) */
  readonly receivedAnything: boolean;
  /**
   * The request is still doing, on a new connection, what libcurl does in
   * PROTOCONNECT before its first request (FTP's greeting up to PWD, the
   * mail protocols' greeting, capabilities, STARTTLS and login, LDAP's bind,
   * SMB's negotiate and session setup): CURLOPT_CONNECTTIMEOUT(_MS) still
   * runs, and its end is libcurl's "Operation timed out after N
   * milliseconds with 0 bytes received". Absent: the connect phase ended
   * when the connection was made.
   */
  readonly loggingIn?: boolean;
  /**
   * The engine drops the request (it ended, failed, timed out, or its handle
   * was removed mid-transfer): release what it still holds outside the
   * connection (file:'s file descriptor). Called on every ending, also after
   * the request finished on its own; then it does nothing.
   */
  abort?(): void;
}

export interface ProtocolHandler {
  /** the URL scheme, lowercase (libcurl's handler->scheme) */
  readonly scheme: string;
  /** the port used when the URL has none */
  readonly defaultPort: number;
  /** the CURLPROTO_* bit (CURLINFO_PROTOCOL) */
  readonly protocol: number;
  /** PROTOPT bits */
  readonly flags: number;
  /** ALPN protocols offered when the connection speaks TLS (empty: no ALPN) */
  readonly alpn: readonly string[];
  /** the ALPN protocols for this transfer when they depend on its options (HTTPS: "h2" per HTTP_VERSION); else `alpn` */
  alpnFor?(t: Transfer): readonly string[];
  /**
   * The TLS layer of the transfer's new connection will be taken off again
   * (FTPS's CCC): it is made over a bridge that allows it (TlsFilterParams.clearable).
   */
  tlsClearable?(t: Transfer): boolean;
  /**
   * CONNECT_ONLY=2 runs this protocol's request (an upgrade) before the
   * transfer stops (WebSocket); otherwise 2 means the same as 1.
   */
  readonly upgradeConnectOnly?: boolean;
  /**
   * Per request, once the URL is known and before any connection is looked
   * for (libcurl's setup_connection). Returns a failure to end the transfer.
   */
  setup?(t: Transfer): SetupFailure | null;
  /**
   * How idle connections of the transfer's pool key suit its next request,
   * when the protocol binds some of them to credentials (HTTP's NTLM
   * authenticates a connection): the rating ConnectionPool.take() uses.
   * Absent: any connection of the key will do, the newest first.
   */
  connectionFit?(t: Transfer): (c: Connection) => ConnectionFit;
  /**
   * A brand-new connection was made for the transfer's next request (the
   * pool had none that suits it): protocol state the transfer kept about
   * its previous connection starts over (libcurl's create_conn; HTTP's
   * NTLM). `info` traces a verbose line. MUST NOT fail.
   */
  newConnection?(t: Transfer, info: (text: string) => void): void;
  /**
   * Whether the transfer's request could go on a connection that
   * multiplexes (libcurl's IsMultiplexingPossible: HTTP with an
   * HTTP_VERSION of 2 or more, its default included): it then takes a
   * stream on a busy HTTP/2 connection, and with CURLOPT_PIPEWAIT it waits
   * while nobody knows yet whether the server multiplexes (src/multi/reuse.ts).
   * Absent: never.
   */
  wantsMultiplex?(t: Transfer): boolean;
  /**
   * Whether the transfer's new connection knows, once connected, whether it
   * multiplexes (ALPN was offered, or HTTP/2 by prior knowledge): its bundle
   * learns it then and the first transfer waiting for a connection tries
   * again (libcurl's Curl_multiuse_state). Absent: only a response tells.
   */
  multiplexKnownAtConnect?(t: Transfer): boolean;
  /**
   * PROTOCONNECT, once per new connection, its filters connected: what the
   * protocol sets up on it (libcurl's connect_it; HTTP/2's session, which
   * sets conn.h2 and then lets the connection multiplex). `info` traces a
   * verbose line; `push`: the multi's PUSHFUNCTION behind a hook, or null
   * (HTTP/2 offers server push only with one). Returns a failure to end the
   * transfer.
   */
  connected?(t: Transfer, conn: Connection, info: (text: string) => void, push: PushHook | null): SetupFailure | null;
  /**
   * The request object for DO on a connection ready for it (libcurl's
   * do_it). What it receives for the application it writes to t.writers
   * (the client writer stack); `guard` runs the application callbacks it
   * calls itself (the read callback, DEBUGFUNCTION through util/trace).
   */
  request(t: Transfer, conn: Connection, guard: ProtocolEnv): ProtocolRequest;
  /**
   * The engine follows a redirect this handler's response asked for (it
   * passed MAXREDIRS and the protocol checks, the new URL's handler is set
   * up): what the protocol changes for the next request (libcurl's
   * handler->follow; HTTP's method switch and AUTOREFERER). `from` is the
   * URL that answered; `info` traces a verbose line. MUST NOT fail.
   */
  follow?(t: Transfer, from: TransferUrl, info: (text: string) => void): void;
  /**
   * After a request that ended well: the transfer goes on with another
   * request of the same URL on a connection found anew (FTP's wildcard
   * download, one request per matching file; libcurl's multi restarting a
   * wildcard transfer at INIT until its state is DONE).
   */
  nextRequest?(t: Transfer): boolean;
}

/**
 * A handler's per-transfer state, in the transfer's protocol slot
 * (Transfer.protoState): made by the handler's setup() and kept across the
 * transfer's requests. Only the handler that made it knows its type.
 */
export interface ProtocolState {
  /**
   * The transfer is retired (Transfer.retire()): drop every object
   * reference, so that a dead state promoted to V8's old generation keeps
   * nothing young alive.
   */
  retire(): void;
}
