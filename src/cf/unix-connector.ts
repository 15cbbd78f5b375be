// Connecting to a Unix domain socket (CURLOPT_UNIX_SOCKET_PATH), or to one in
// Linux's abstract namespace (CURLOPT_ABSTRACT_UNIX_SOCKET: the name with a
// leading NUL byte, which node:net passes through). No name is resolved and
// no TCP option applies, as in libcurl.
import { connect as netConnect } from 'node:net';
import { StreamTransport } from '../transport/stream-transport.js';
import { CURL_POLL } from '../constants.js';
import { CURLE } from '../codes.js';
import type { PollEntry } from '../transport/transport.js';
import type { ConnectStep, Connector } from './connector.js';
import { errnoText } from './socket-errors.js';

export interface UnixSocketPath {
  path: string;
  abstract: boolean;
}

export class UnixConnector implements Connector {
  #transport: StreamTransport | null;
  #discard: (t: StreamTransport) => void;
  #trace: (text: string) => void;
  #printable: string;

  constructor(target: UnixSocketPath, discard: (t: StreamTransport) => void, trace: (text: string) => void) {
    this.#discard = discard;
    this.#trace = trace;
    // libcurl prints the sockaddr's path: an abstract name starts with NUL, so it shows as empty
    this.#printable = target.abstract ? '' : target.path;
    trace(`  Trying ${this.#printable}:0...`);
    const socket = netConnect({ path: target.abstract ? `\0${target.path}` : target.path });
    this.#transport = new StreamTransport(socket);
  }

  /** What CURLINFO_PRIMARY_IP reports for this connection (libcurl's sun_path). */
  get printable(): string {
    return this.#printable;
  }

  step(): ConnectStep {
    const t = this.#transport;
    if (!t) return { kind: 'failed', message: 'Could not connect', code: CURLE.COULDNT_CONNECT };
    if (t.error || (t.eof && !t.connected)) {
      this.#trace(`Immediate connect fail for ${this.#printable}: ${t.error ? errnoText(t.error) : 'Connection refused'}`);
      this.abort();
      return { kind: 'failed', message: 'Connection refused', code: CURLE.COULDNT_CONNECT };
    }
    if (!t.connected) return { kind: 'pending' };
    this.#transport = null;
    return { kind: 'connected', transport: t };
  }

  nextTimeout(): number | undefined {
    return undefined;
  }

  pollset(): PollEntry[] {
    return this.#transport ? [{ transport: this.#transport, what: CURL_POLL.OUT }] : [];
  }

  abort(): void {
    if (this.#transport) this.#discard(this.#transport);
    this.#transport = null;
  }
}
