// The server side of an FTPS control connection whose TLS layer can be shut
// down again (CCC, Clear Command Channel), for test/helpers/ftp-server.ts.
//
// node:tls over the raw socket would own it for good; over a Duplex of our
// own (a JSStreamSocket inside node:tls) the server decides which raw bytes
// the TLS layer gets: all of them until the CCC, then none, and the
// connection goes on in the clear. What a client sends in TLS after the
// server went clear (its close_notify, in CCC's active mode) is recognized by
// its record header and handed to the TLS layer: its 'end' says it was the
// close_notify.
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { Creds } from './certs.js';

/** How the server shuts TLS down after its "200 CCC": who sends the first close_notify. */
export type CccMode =
  /** close_notify right after the 200, then clear at once (proftpd's mod_tls, what libcurl was tested with) */
  | 'server-first'
  /** as server-first, and the reply to the PWD that follows comes in the same packet as the close_notify */
  | 'eager'
  /** wait for the client's close_notify, answer it, then clear */
  | 'client-first'
  /** the 200, then the TCP connection ends without a close_notify */
  | 'close'
  /** the 200, then the TCP connection is reset */
  | 'reset'
  /** the 200, then nothing: TLS stays */
  | 'silent';

export class ServerTlsLayer {
  readonly tls: TLSSocket;
  readonly #raw: Socket;
  readonly #bridge: Duplex;
  /** raw bytes go to the TLS layer (else to the clear handler) */
  #secure = true;
  #clear: ((d: Buffer) => void) | null = null;
  /** raw bytes of the TLS layer's writes held back to go out in one packet */
  #held: Buffer[] | null = null;
  #onFinal: (() => void) | null = null;
  /** the start of the clear phase: TLS records there are the client's */
  #clearStart = true;
  #recordBuf = Buffer.alloc(0);

  constructor(raw: Socket, creds: Creds) {
    this.#raw = raw;
    this.#bridge = new Duplex({
      allowHalfOpen: true,
      read: () => {},
      write: (chunk: Buffer, _enc, cb) => {
        if (this.#held) this.#held.push(chunk);
        else if (!raw.destroyed) raw.write(chunk);
        cb();
      },
      final: (cb) => {
        // the TLS layer's shutdown wrote its close_notify: the raw socket goes on
        const f = this.#onFinal;
        this.#onFinal = null;
        f?.();
        cb();
      },
    });
    this.#bridge.on('error', () => {});
    raw.on('data', (d: Buffer) => this.#rawData(d));
    this.tls = new TLSSocket(this.#bridge as unknown as Socket, { isServer: true, key: creds.key, cert: creds.cert });
    this.tls.on('error', () => {});
  }

  get secure(): boolean {
    return this.#secure;
  }

  #rawData(d: Buffer): void {
    if (this.#secure) {
      this.#bridge.push(d);
      return;
    }
    if (!this.#clearStart) {
      this.#clear?.(d);
      return;
    }
    // TLS records before the first clear byte: the client's shutdown
    let buf = Buffer.concat([this.#recordBuf, d]);
    // bounded: each pass takes one record off the front
    while (buf.length >= 5 && (buf[0] === 0x15 || buf[0] === 0x17) && buf[1] === 3) {
      const n = 5 + buf.readUInt16BE(3);
      if (buf.length < n) break;
      this.#bridge.push(buf.subarray(0, n));
      buf = buf.subarray(n);
    }
    const partialRecord = buf.length > 0 && buf.length < 5 && (buf[0] === 0x15 || buf[0] === 0x17);
    if (buf.length >= 5 && (buf[0] === 0x15 || buf[0] === 0x17) && buf[1] === 3) {
      this.#recordBuf = buf;
      return;
    }
    if (partialRecord) {
      this.#recordBuf = buf;
      return;
    }
    this.#recordBuf = Buffer.alloc(0);
    if (buf.length === 0) return;
    this.#clearStart = false;
    this.#clear?.(buf);
  }

  /**
   * Accept a CCC: write `reply` (in TLS), then shut the TLS layer down per
   * `mode`; `clear` gets the raw bytes from then on. `eagerReply` goes out
   * in the clear in the same write as the 200 and the close_notify ('eager').
   */
  shutdown(mode: CccMode, reply: string, clear: (d: Buffer) => void, eagerReply?: string): void {
    this.#clear = clear;
    if (mode === 'eager') this.#held = [];
    this.tls.write(reply);
    switch (mode) {
      case 'server-first':
      case 'eager':
        this.#onFinal = () => {
          const held = this.#held ?? [];
          this.#held = null;
          const out = Buffer.concat([...held, Buffer.from(mode === 'eager' ? eagerReply ?? '' : '', 'latin1')]);
          if (out.length > 0 && !this.#raw.destroyed) this.#raw.write(out);
        };
        this.#secure = false;
        this.tls.end();
        return;
      case 'client-first':
        this.tls.once('end', () => {
          this.#onFinal = () => {
            this.#secure = false;
            this.#clearStart = false;
          };
          this.tls.end();
        });
        return;
      case 'close':
        this.tls.write('', () => this.#raw.end());
        return;
      case 'reset':
        this.tls.write('', () => this.#raw.resetAndDestroy());
        return;
      case 'silent':
        return;
    }
  }
}
