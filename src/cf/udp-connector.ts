// The socket filter of a protocol that speaks UDP (libcurl's cf-socket in
// its TRNSPRT_UDP form, which TFTP uses): there is no handshake, so
// "connecting" is opening a datagram socket of the first resolved address's
// family and binding it (CURLOPT_INTERFACE / LOCALPORT, else any address and
// port). The socket is not connect()ed, as libcurl's TFTP socket is not: the
// server answers from a port of its own. Connected means bound; the address
// the protocol sends to is the one reported with it.
import type { ResolvedAddress } from '../dns/resolver.js';
import { UdpTransport } from '../transport/udp-transport.js';
import { CURL_POLL } from '../constants.js';
import { CURLE } from '../codes.js';
import type { PollEntry } from '../transport/transport.js';
import type { ConnectStep, Connector } from './connector.js';
import { errnoNumber, errnoText } from './socket-errors.js';
import type { LocalBind } from './local-bind.js';

export interface UdpConnectOptions {
  port: number;
  bind?: LocalBind | null;
  trace?: (text: string) => void;
  discard: (t: UdpTransport) => void;
  onTrying?: (address: ResolvedAddress) => void;
}

export class UdpConnector implements Connector {
  readonly #address: ResolvedAddress | undefined;
  readonly #opts: UdpConnectOptions;
  #transport: UdpTransport | null = null;
  #failure: ConnectStep | null = null;
  #poll: PollEntry[] = [];

  constructor(addresses: readonly ResolvedAddress[], opts: UdpConnectOptions) {
    this.#address = addresses[0];
    this.#opts = opts;
    if (!this.#address) {
      this.#failure = { kind: 'failed', message: 'No address to connect to' };
      return;
    }
    opts.onTrying?.(this.#address);
    let local: string | undefined;
    if (opts.bind) {
      const b = opts.bind.addressFor(this.#address.family, (text) => opts.trace?.(text));
      if (!b.ok) {
        this.#failure = { kind: 'failed', message: b.message, code: CURLE.INTERFACE_FAILED };
        return;
      }
      local = b.address;
    }
    this.#transport = new UdpTransport(this.#address.family, local, opts.bind?.port ?? 0);
    this.#poll = [{ transport: this.#transport, what: CURL_POLL.OUT }];
  }

  step(_now: number): ConnectStep {
    if (this.#failure) return this.#failure;
    const tr = this.#transport!;
    const err = tr.takeError();
    if (err) {
      this.abort();
      const message = `bind() failed; ${errnoText(err)}`;
      this.#failure = { kind: 'failed', message, code: CURLE.COULDNT_CONNECT, errno: errnoNumber(err) };
      return this.#failure;
    }
    if (!tr.bound) return { kind: 'pending' };
    this.#transport = null;
    this.#poll = [];
    const a = this.#address!;
    return { kind: 'connected', datagram: tr, remote: { address: a.address, port: this.#opts.port } };
  }

  nextTimeout(): number | undefined {
    return undefined;
  }

  pollset(): PollEntry[] {
    return this.#poll;
  }

  abort(): void {
    if (this.#transport) this.#opts.discard(this.#transport);
    this.#transport = null;
    this.#poll = [];
  }
}
