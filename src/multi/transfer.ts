// Everything the engine knows about one transfer of one easy handle (libcurl's
// struct Curl_easy runtime part): its state, what it polls, its named
// expiries, its connection, its progress and the facts getinfo reports.
import type { Easy } from '../easy/easy.js';
import type { OptionStore } from '../easy/option-store.js';
import type { Connection } from '../conn/connection.js';
import type { Resolution } from '../dns/resolver.js';
import type { TcpConnector } from '../cf/tcp-connector.js';
import type { PollEntry } from './socket-registry.js';
import type { HeapItem } from './timer-heap.js';
import type { TransferUrl } from './url-adapter.js';
import type { HttpExchange } from '../proto/http.js';
import type { HostAuth } from '../auth/host-auth.js';
import type { ProxyRoute } from '../proxy/proxy-config.js';
import type { ResolvedAddress } from '../dns/resolver.js';
import type { Tunnel } from './tunneling.js';
import type { ResponseDecoding } from '../cw/decode-stack.js';
import { HeaderStore } from '../easy/header-store.js';

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
  DONE: 'DONE',
  COMPLETED: 'COMPLETED',
  MSGSENT: 'MSGSENT',
} as const;
export type TransferState = (typeof STATE)[keyof typeof STATE];

/** Names of per-transfer expiries (libcurl's expire_id). */
export const EXPIRE = {
  RUN_NOW: 'RUN_NOW',
  TIMEOUT: 'TIMEOUT',
  CONNECTTIMEOUT: 'CONNECTTIMEOUT',
  HAPPY_EYEBALLS: 'HAPPY_EYEBALLS',
} as const;
export type ExpireId = (typeof EXPIRE)[keyof typeof EXPIRE];

let nextTransferId = 0;

export class Timing {
  /** performance.now() at start of this transfer (after queueing) */
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
  readonly expiries = new Map<ExpireId, number>();

  url: TransferUrl | null = null;
  conn: Connection | null = null;
  /** the connection went back to the pool (or was closed); `conn` stays for getinfo */
  connReleased = false;
  connReleasedTraced = false;
  resolution: Resolution | null = null;
  connector: TcpConnector | null = null;
  exchange: HttpExchange | null = null;
  /** the proxies of the current request's connection (null: direct) */
  proxy: ProxyRoute | null = null;
  /** the addresses of the first hop (a reconnect to a proxy that closed after a 407 reuses them) */
  firstHopAddresses: ResolvedAddress[] | null = null;
  /** the SOCKS handshake and CONNECT exchange in progress (TUNNELING) */
  tunnel: Tunnel | null = null;

  result = 0;
  errorMessage = '';
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

  // getinfo facts
  responseCode = 0;
  httpVersion = 0;
  effectiveUrl = '';
  effectiveMethod = 'GET';
  contentType: string | null = null;
  /** Last-Modified as seconds since the epoch when FILETIME asked for it, -1 unknown */
  filetime = -1;
  /** the last CONNECT response code (CURLINFO_HTTP_CONNECTCODE) */
  httpConnectCode = 0;
  /** CURLproxycode of a failed SOCKS handshake (CURLINFO_PROXY_ERROR) */
  proxyError = 0;
  /** a time condition stopped the document (CURLINFO_CONDITION_UNMET) */
  conditionUnmet = false;

  // per response: the decoding writers, the document time, resume state
  decoding: ResponseDecoding | null = null;
  timeOfDoc = 0;
  /** where the download resumes (libcurl's state.resume_from; a Content-Range of '*' zeroes it) */
  resumeFrom = 0;
  /** the response's Content-Range starts where we resumed */
  contentRangeOk = false;
  /** every response header of the transfer, for easy.header() / easy.nextheader() */
  readonly headerStore = new HeaderStore();

  // redirects (libcurl's state.followlocation, req.location, req.newurl)
  redirectCount = 0;
  /** the Location of the last 3xx, resolved (CURLINFO_REDIRECT_URL) */
  redirectUrl: string | null = null;
  /** set when the current response is a redirect the transfer will follow */
  followLocation: string | null = null;
  /** the URL the application asked for: credentials stay with its origin */
  firstUrl: TransferUrl | null = null;
  /** a 301/302/303 switched the method to GET: the request carries no body */
  forceGet = false;
  /**
   * Set by a protocol handler when the same URL must be requested again on
   * completion (authentication negotiation: libcurl's FOLLOW_RETRY).
   */
  retryRequest = false;
  /** requests re-sent because a reused connection had died (Curl_retry_request) */
  connRetries = 0;
  /** HTTP authentication state for the host (created on the first request) */
  auth: HostAuth | null = null;
  /** HTTP proxy authentication state (created on the first request through an HTTP proxy) */
  proxyAuth: HostAuth | null = null;
  /** the referer to send on a followed request (AUTOREFERER) */
  autoReferer: string | null = null;

  // pause (CURLPAUSE bits) and data held back by a paused write callback
  pauseBits = 0;
  heldBody: Buffer[] = [];
  heldHeaders: Buffer[] = [];

  /** set when a Node event made this transfer worth running (built-in driver) */
  dirty = false;
  /** the last progress values told to XFERINFOFUNCTION */
  lastProgress = '';

  constructor(easy: Easy, opts: OptionStore) {
    this.easy = easy;
    this.opts = opts;
  }

  /** Earliest pending expiry, or undefined. */
  nextExpiry(): number | undefined {
    let min: number | undefined;
    for (const t of this.expiries.values()) if (min === undefined || t < min) min = t;
    return min;
  }

  fail(code: number, message: string): void {
    if (this.result === 0) {
      this.result = code;
      this.errorMessage = message;
    }
  }
}
