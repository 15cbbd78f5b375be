// The network side of a protocol's receive loop, shared by the protocols that
// read their connection themselves (DICT/GOPHER, TELNET, RTSP, MQTT, SMB): one
// read within CURLOPT_MAX_RECV_SPEED_LARGE's budget for this step (what goes
// over it waits in the transport, so one step never delivers more than the
// limit), the first byte of the transfer stamped as
// CURLINFO_STARTTRANSFER_TIME, and a failed read given libcurl's
// "Recv failure: %s" text. What the bytes mean stays the protocol's.
import type { Transfer } from '../multi/transfer.js';
import type { StreamTransport } from '../transport/stream-transport.js';
import { nowMs } from '../util/clock.js';

/** The message of a failed network read, as libcurl's "Recv failure: %s". */
export function recvFailure(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET') return 'Recv failure: Connection reset by peer';
  return `Recv failure: ${err.message}`;
}

/**
 * What one read gave: bytes (a view that may be of reused memory: use or
 * copy it before control returns to the event loop), 'wait' (nothing yet,
 * or the budget of this step is spent), 'eof', or a failed read's message
 * (the protocol fails with CURLE_RECV_ERROR and it).
 */
export type Metered = Buffer | 'wait' | 'eof' | { failure: string };

export class MeteredRecv {
  readonly #t: Transfer;
  #gotBytes = false;

  constructor(t: Transfer) {
    this.#t = t;
  }

  /** Any byte came from the server (the protocols' "Empty reply" and CONNECTION reuse tests). */
  get gotBytes(): boolean {
    return this.#gotBytes;
  }

  read(transport: StreamTransport): Metered {
    const t = this.#t;
    if (t.recvBudget <= 0) return 'wait';
    const r = transport.recv();
    if (r.kind === 'again') return 'wait';
    if (r.kind === 'eof') return 'eof';
    if (r.kind === 'error') return { failure: recvFailure(r.error) };
    let data = r.data;
    if (data.length > t.recvBudget) {
      transport.unrecv(data.subarray(t.recvBudget));
      data = data.subarray(0, t.recvBudget);
    }
    t.recvBudget -= data.length;
    if (!this.#gotBytes) {
      this.#gotBytes = true;
      t.timing.starttransfer ||= nowMs();
    }
    return data;
  }
}
