// Everything the engine knows about one transfer of one easy handle (libcurl's
// struct Curl_easy runtime part): its state, what it polls, its named
// expiries, its connection, its progress and the facts getinfo reports.
// Only what every protocol has lives here; a protocol's own per-transfer
// state is its handler's object in `protoState` (HTTP's: src/proto/http-state.ts).
import type { Easy } from '../easy/easy.js';
import type { OptionStore } from '../easy/option-store.js';
import type { Connection, ConnectionRoute } from '../conn/connection.js';
import type { Resolution } from '../dns/resolver.js';
import type { Connector } from '../cf/connector.js';
import type { H2Stream } from '../h2/session.js';
import { SpeedMeter } from './speed.js';
import type { PollEntry } from './socket-registry.js';
import type { HeapItem } from './timer-heap.js';
import type { TransferUrl } from './url-adapter.js';
import type { ProtocolHandler, ProtocolRequest, ProtocolState } from '../proto/handler.js';
import type { HostAuth } from '../auth/host-auth.js';
import type { ProxyRoute } from '../proxy/proxy-config.js';
import type { ResolvedAddress } from '../dns/resolver.js';
import type { FilterChain } from '../cf/filter.js';
import { ClientWriterStack } from '../cw/writer-stack.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import type { HeadLog } from '../cw/head-log.js';
import { HeaderStore } from '../easy/header-store.js';
import type { CallbackReader } from '../cr/callback-reader.js';
import { EXPIRE, ExpirySet, type ExpireId } from './expiry-set.js';
import type { CallbackFailure } from '../util/callback-failure.js';

export { EXPIRE, type ExpireId };

export const STATE = {
  INIT: 'INIT',
  PENDING: 'PENDING',
  CONNECT: 'CONNECT',
  RESOLVING: 'RESOLVING',
  CONNECTING: 'CONNECTING',
  TUNNELING: 'TUNNELING',
  PROTOCONNECT: 'PROTOCONNECT',
  DO: 'DO',
  DID: 'DID',
  PERFORMING: 'PERFORMING',
  /** over MAX_RECV_SPEED / MAX_SEND_SPEED: nothing polled until the TOOFAST expiry */
  RATELIMITING: 'RATELIMITING',
  DONE: 'DONE',
  COMPLETED: 'COMPLETED',
  MSGSENT: 'MSGSENT',
} as const;
export type TransferState = (typeof STATE)[keyof typeof STATE];


/** How often XFERINFOFUNCTION runs while a transfer is idle (libcurl: "about one call per second"). */
export const PROGRESS_INTERVAL_MS = 1000;

let nextTransferId = 0;

export class Timing {
  /** nowMs() at start of this transfer (after queueing) */
  start = 0;
  queued = 0;
  namelookup = 0;
  connect = 0;
  appconnect = 0;
  pretransfer = 0;
  posttransfer = 0;
  starttransfer = 0;
  total = 0;
  redirect = 0;
}

export class Transfer implements HeapItem {
  readonly id = nextTransferId++;
  readonly easy: Easy;
  readonly opts: OptionStore;
  state: TransferState = STATE.INIT;
  pollset: PollEntry[] = [];
  heapIndex = -1;
  heapKey = 0;
  /** indexes in the engine's transfer lists (src/multi/transfer-list.ts, by LIST id), -1 when not listed */
  readonly listSlots = [-1, -1, -1];
  readonly expiries = new ExpirySet();

  url: TransferUrl | null = null;
  conn: Connection | null = null;
  /** the connection went back to the pool (or was closed); `conn` stays for getinfo */
  connReleased = false;
  connReleasedTraced = false;
  /** where this request's connection goes (CONNECT_TO, Unix socket); made in CONNECT */
  route: ConnectionRoute | null = null;
  resolution: Resolution | null = null;
  connector: Connector | null = null;
  /** the protocol handler of the current request's URL (set in INIT and on each redirect) */
  handler: ProtocolHandler | null = null;
  /** the protocol's state for the current request (made in DO) */
  request: ProtocolRequest | null = null;
  /** the protocol's state for the whole transfer, kept across its requests (made by the handler's setup()) */
  protoState: ProtocolState | null = null;
  /** the proxies of the current request's connection (null: direct) */
  proxy: ProxyRoute | null = null;
  /** the addresses of the first hop (a reconnect to a proxy that closed after a 407 reuses them) */
  firstHopAddresses: ResolvedAddress[] | null = null;
  /** the new connection's filters above its socket, while they connect (CONNECTING) */
  filters: FilterChain | null = null;
  /** the next CONNECT tunnel goes on after the proxy closed the connection on a 407 (a reconnect) */
  tunnelResumed = false;

  result = 0;
  errorMessage = '';
  /**
   * The first value an application callback of this transfer threw
   * (easy.lastCallbackError); null while none threw.
   */
  callbackError: { value: unknown } | null = null;
  /**
   * A callback threw and the transfer must end with this failure: the engine
   * ends it after the step it happened in (src/util/callback-failure.ts).
   */
  callbackFailure: CallbackFailure | null = null;
  /** DEBUGFUNCTION threw once: it is not called again for this transfer */
  debugSilenced = false;
  readonly timing = new Timing();

  // progress counters
  /** body bytes received, after transfer decoding and before content decoding (libcurl's bytecount) */
  sizeDownload = 0;
  /** body bytes handed to the application, decoded (CURLINFO_SIZE_DELIVERED) */
  sizeDelivered = 0;
  sizeUpload = 0;
  contentLength = -1;
  uploadLength = -1;
  headerSize = 0;
  requestSize = 0;
  numConnects = 0;
  /** CURLINFO_OS_ERRNO: errno of the last failed connect */
  osErrno = 0;

  // getinfo facts
  responseCode = 0;
  effectiveUrl = '';
  effectiveMethod = 'GET';
  contentType: string | null = null;
  /** Last-Modified as seconds since the epoch when FILETIME asked for it, -1 unknown */
  filetime = -1;
  /** the last CONNECT response code of the HTTP proxy tunnel, whatever the protocol (CURLINFO_HTTP_CONNECTCODE) */
  httpConnectCode = 0;
  /** CURLproxycode of a failed SOCKS handshake (CURLINFO_PROXY_ERROR) */
  proxyError = 0;
  /** a time condition stopped the document (CURLINFO_CONDITION_UNMET; file: and HTTP) */
  conditionUnmet = false;

  /**
   * every response header of the transfer, for easy.header() / easy.nextheader():
   * the protocol's and the proxy tunnel's (CONNECT), as libcurl 8's header collector
   */
  readonly headerStore = new HeaderStore();
  /** the handle's head log, emptied for this transfer (easy.keepHeaderBytes()); null: none */
  headLog: HeadLog | null = null;

  // redirects (libcurl's state.followlocation, req.location, req.newurl)
  redirectCount = 0;
  /** the Location of the last 3xx, resolved (CURLINFO_REDIRECT_URL) */
  redirectUrl: string | null = null;
  /** set when the current response is a redirect the transfer will follow */
  followLocation: string | null = null;
  /** the URL the application asked for: credentials stay with its origin */
  firstUrl: TransferUrl | null = null;
  /**
   * Set by a protocol handler when the same URL must be requested again on
   * completion (authentication negotiation: libcurl's FOLLOW_RETRY).
   */
  retryRequest = false;
  /** this request follows a redirect or repeats the URL (libcurl's this_is_a_follow): FRESH_CONNECT does not apply */
  isFollow = false;
  /** it waited for a connection once (libcurl's previouslypending): each later CONNECT wakes the next waiting one */
  previouslyPending = false;
  /**
   * A server push the application accepted (CURLMOPT_PUSHFUNCTION): the
   * connection and the pushed stream this transfer's response comes on,
   * until its request adopts them (libcurl's Curl_multi_add_perform); or,
   * `upgraded`, the stream 1 an h2c Upgrade answers this transfer's request on.
   */
  pushed: { conn: Connection; stream: H2Stream; upgraded?: boolean } | null = null;
  /** requests re-sent because a reused connection had died (Curl_retry_request) */
  connRetries = 0;
  /**
   * HTTP proxy authentication state (created on the first request through an
   * HTTP proxy): the proxy's, for any protocol tunnelled through it, as
   * libcurl's state.authproxy
   */
  proxyAuth: HostAuth | null = null;
  /** the proxy (with credentials) proxyAuth was made for: proxy-config's serverKey() */
  proxyAuthKey = '';

  // request body (client readers)
  /** READFUNCTION/READDATA source (any protocol that uploads), kept for all requests of the transfer so re-sends can rewind it */
  clientSource: CallbackReader | null = null;

  /** CURLPAUSE bits */
  pauseBits = 0;
  /**
   * Where every protocol writes what it receives for the application (the
   * client writers: decoding, counting, the pause buffer, the callbacks).
   */
  readonly writers: ClientWriterStack;

  /** rate limiting and LOW_SPEED_LIMIT bookkeeping (libcurl's progress counters) */
  readonly speed = new SpeedMeter();
  /**
   * Bytes the protocol may still read in this run of the transfer
   * (MAX_RECV_SPEED_LARGE caps one run at the limit, as libcurl 8's readwrite).
   */
  recvBudget = Infinity;
  /** verbose output of failf() texts (set by the engine) */
  traceFail: ((message: string) => void) | null = null;

  /** set when a Node event made this transfer worth running (built-in driver) */
  dirty = false;
  /** the last progress values told to XFERINFOFUNCTION */
  lastProgress = '';
  /** nowMs() of the last XFERINFOFUNCTION call */
  lastProgressAt = 0;

  /** `guard` runs the application's callbacks (the multi engine the transfer is added to). */
  constructor(easy: Easy, opts: OptionStore, guard: CallbackGuard) {
    this.easy = easy;
    this.opts = opts;
    this.writers = new ClientWriterStack(this, guard);
  }

  /**
   * The easy handle moved on to a new transfer, was reset or cleaned up:
   * nobody reads this one again, so let go of everything it references.
   * Why bother, when the Transfer itself is garbage? V8's young-generation
   * collector treats every pointer stored in an old-generation object as
   * live, even when that object is dead (until the next full collection):
   * a finished transfer still referenced that way kept its exchange, parser
   * and headers alive and copied them into the old generation, ~2 MB per
   * scavenge on the keep-alive benchmark. Cut here, only this object is.
   */
  retire(): void {
    this.request = null;
    // the protocol's state holds auth state, body sources: cut what it references, then it
    this.protoState?.retire();
    this.protoState = null;
    this.handler = null;
    this.conn = null;
    this.route = null;
    this.resolution = null;
    this.connector = null;
    this.proxy = null;
    this.firstHopAddresses = null;
    this.filters = null;
    this.url = null;
    this.firstUrl = null;
    this.writers.close();
    this.headerStore.clear();
    this.proxyAuth = null;
    this.proxyAuthKey = '';
    this.clientSource = null;
    this.pollset = [];
    this.traceFail = null;
    this.expiries.clear();
  }

  /** Received bytes kept by the exchange or the head log become copies: the transport may reuse their memory once back in the event loop. */
  retainReceived(): void {
    this.request?.retainReceived();
    this.headLog?.settle();
  }

  /** Earliest pending expiry, or undefined. */
  nextExpiry(): number | undefined {
    return this.expiries.earliest();
  }

  /** libcurl's failf(): the first message is the error text; every one is shown with VERBOSE. An empty one is no failf (the error text is then the code's). */
  fail(code: number, message: string): void {
    if (message !== '') this.traceFail?.(message);
    if (this.result === 0) {
      this.result = code;
      this.errorMessage = message;
    }
  }
}
