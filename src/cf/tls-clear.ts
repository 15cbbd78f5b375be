// The end of TLS on a connection that goes on in the clear: FTPS's CCC
// (Clear Command Channel), after the server accepted it. curl 7.88 removes
// its TLS filter (Curl_ssl_cfilter_remove, OpenSSL's ossl_shutdown): in
// CURLFTPSSL_CCC_ACTIVE mode it sends a close_notify first; in both modes it
// then waits up to SSL_SHUTDOWN_TIMEOUT (10 s) for the server's close_notify,
// and the control connection goes on in the clear on the same socket. The
// passive mode never sends a close_notify (a server that closes TLS without
// waiting would read one as the start of the next command).
//
// Here the TLS layer was put over a bridge when it was made (TlsFilterParams
// `clearable`, StreamTransport.upgradeBridged()); step() waits, without
// blocking, until the bridge saw the server's close_notify and then takes
// the layer off (StreamTransport.downgrade()), keeping the bytes that came
// after it. The failures are curl's: a server that ends the TCP connection
// instead (curl 7.88 fails the transfer with CURLE_RECV_ERROR, its message
// the one of the failed SSL_read); a timeout is only a note, and the
// connection goes on in the clear as curl's does.
import type { TLSSocket } from 'node:tls';
import { CURLE, type CURLcode } from '../codes.js';
import type { StreamTransport } from '../transport/stream-transport.js';

/** libcurl's SSL_SHUTDOWN_TIMEOUT: how long the server's close_notify is waited for. */
export const SSL_SHUTDOWN_TIMEOUT_MS = 10_000;

export type ClearStep =
  | { kind: 'pending' }
  | { kind: 'done' }
  | { kind: 'failed'; code: CURLcode; message: string };

const PENDING: ClearStep = Object.freeze({ kind: 'pending' });
const DONE: ClearStep = Object.freeze({ kind: 'done' });

export class TlsClear {
  readonly #tr: StreamTransport;
  readonly #active: boolean;
  readonly #until: number;
  readonly #info: (text: string) => void;

  /** Begin: in active mode our close_notify goes out now. */
  constructor(tr: StreamTransport, active: boolean, now: number, info: (text: string) => void) {
    this.#tr = tr;
    this.#active = active;
    this.#until = now + SSL_SHUTDOWN_TIMEOUT_MS;
    this.#info = info;
    const tls = tr.socket as TLSSocket;
    if (active && tr.bridge !== null && !tls.writableEnded) tls.end();
  }

  /** When step() must run even without socket activity. */
  deadline(): number {
    return this.#until;
  }

  step(now: number): ClearStep {
    const tr = this.#tr;
    const bridge = tr.bridge;
    if (bridge === null) return failed(CURLE.SSL_SHUTDOWN_FAILED, 'Failed to clear the command channel (CCC)');
    // data in TLS after the answer to CCC: the server did not shut TLS down
    if (tr.buffered > 0) return failed(CURLE.SSL_SHUTDOWN_FAILED, 'Failed to clear the command channel (CCC)');
    if (bridge.closeNotified) {
      this.#info(`SSL_get_shutdown() returned ${this.#active ? 'SSL_SENT_SHUTDOWN|SSL_RECEIVED__SHUTDOWN' : 'SSL_RECEIVED_SHUTDOWN'}`);
      tr.downgrade();
      return DONE;
    }
    const err = tr.error;
    if (err !== null) return failed(CURLE.RECV_ERROR, `OpenSSL SSL_read on shutdown: ${err.message}`);
    if (bridge.rawEnded || tr.eof) {
      const errno = (bridge.rawError as NodeJS.ErrnoException | null)?.errno;
      return failed(CURLE.RECV_ERROR, `OpenSSL SSL_read on shutdown: SSL_ERROR_SYSCALL, errno ${errno !== undefined ? -errno : 0}`);
    }
    if (now >= this.#until) {
      // curl 7.88 says so and goes on in the clear
      this.#info('SSL shutdown timeout');
      tr.downgrade();
      return DONE;
    }
    return PENDING;
  }
}

function failed(code: CURLcode, message: string): ClearStep {
  return { kind: 'failed', code, message };
}
