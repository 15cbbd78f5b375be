// A bundle: the connections of one pool that go to one host and port (an
// HTTP proxy's for the requests it forwards; a tunnel's belong to the
// origin), as libcurl 7.88's connection cache groups them (conncache.c's
// bundles, keyed by hashkey(): Connection.hostKey).
// It counts them for CURLMOPT_MAX_HOST_CONNECTIONS, and it remembers what
// was learned about the server: whether it multiplexes (HTTP/2) or serves
// one request at a time. A transfer that may multiplex and sets
// CURLOPT_PIPEWAIT waits while that is unknown (src/multi/reuse.ts).
// A bundle lives while it holds a connection; the next one to the same host
// starts a new bundle that knows nothing yet, as in libcurl.

/** libcurl's BUNDLE_UNKNOWN, BUNDLE_NO_MULTIUSE, BUNDLE_MULTIPLEX. */
export const MULTIUSE = { UNKNOWN: 0, NO: 1, MULTIPLEX: 2 } as const;
export type Multiuse = (typeof MULTIUSE)[keyof typeof MULTIUSE];

let nextBundleId = 1;

export class Bundle {
  /** unique per process: what "Found bundle for host: %p" shows in place of libcurl's pointer */
  readonly id = nextBundleId++;
  /** the pool's host key (ConnectionPool: the key MAX_HOST_CONNECTIONS counts by) */
  readonly hostKey: string;
  /** connections in it: connecting, in use or idle */
  count = 0;
  /** what the last connection that found out said (libcurl: the last decision wins) */
  multiuse: Multiuse = MULTIUSE.UNKNOWN;

  constructor(hostKey: string) {
    this.hostKey = hostKey;
  }

  /** The bundle's identity in libcurl's %p form: stable for the bundle's life. */
  get pointer(): string {
    return `0x${(this.id * 0x40 + 0x5a0000).toString(16)}`;
  }

  /** libcurl's "[serially]" / "[can multiplex]" after "Found bundle for host". */
  get multiuseText(): string {
    return this.multiuse === MULTIUSE.MULTIPLEX ? 'can multiplex' : 'serially';
  }
}
