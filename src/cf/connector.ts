// What the CONNECTING state drives: a socket filter that connects without
// blocking (TCP with happy eyeballs, or a Unix domain socket). step() is
// called when one of its sockets is ready or its timer expired.
import type { CURLcode } from '../codes.js';
import type { StreamTransport } from '../transport/stream-transport.js';
import type { PollEntry } from '../transport/transport.js';
import type { UdpTransport } from '../transport/udp-transport.js';

export type ConnectStep =
  | { kind: 'pending' }
  | { kind: 'connected'; transport: StreamTransport }
  /** a UDP protocol's bound socket and the address its datagrams go to (src/cf/udp-connector.ts) */
  | { kind: 'connected'; datagram: UdpTransport; remote: { address: string; port: number } }
  /**
   * `message` ends libcurl's "Failed to connect to H port P after N ms: …";
   * `code` defaults to CURLE_COULDNT_CONNECT.
   */
  /** errno: the last attempt's OS error number (CURLINFO_OS_ERRNO), 0 if none */
  | { kind: 'failed'; message: string; code?: CURLcode; errno?: number };

export interface Connector {
  step(now: number): ConnectStep;
  /** When step() must run again even without socket activity. */
  nextTimeout(): number | undefined;
  pollset(): PollEntry[];
  /** Close every attempt still running (timeout, transfer removed). */
  abort(): void;
}
