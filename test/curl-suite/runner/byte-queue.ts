// What a stream has delivered and nobody has read yet, read with await: the
// scripted servers (ftpserver.pl's emulation) read their control and data
// connections the way the perl script reads sockfilt, one chunk at a time,
// in the middle of handling a command (an upload, a mail body).

import type { Duplex } from 'node:stream';

export class ByteQueue {
  readonly #chunks: Buffer[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  /** Collects what `stream` delivers from now on; ends when it ends or closes. */
  static of(stream: Duplex): ByteQueue {
    const q = new ByteQueue();
    stream.on('data', (d: Buffer) => q.push(d));
    stream.on('end', () => q.end());
    stream.on('close', () => q.end());
    stream.on('error', () => q.end());
    return q;
  }

  push(chunk: Buffer): void {
    if (this.#ended || !chunk.length) return;
    this.#chunks.push(chunk);
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** The stream has ended (some of what it sent may still be unread). */
  get peerDone(): boolean {
    return this.#ended;
  }

  /** Ended and everything read. */
  get ended(): boolean {
    return this.#ended && !this.#chunks.length;
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** The next chunk, or null once the stream has ended and everything was read. */
  async read(): Promise<Buffer | null> {
    // bounded by the stream: it ends (and wakes us) when the peer or the runner closes it
    for (;;) {
      const c = this.#chunks.shift();
      if (c) return c;
      if (this.#ended) return null;
      await new Promise<void>((r) => {
        this.#wake = r;
      });
    }
  }

  /** Puts bytes back at the front, to be read again first. */
  unread(chunk: Buffer): void {
    if (chunk.length) this.#chunks.unshift(chunk);
  }
}
