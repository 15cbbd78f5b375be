// Watches the frames an HTTP/2 session writes for the one node:http2 does not
// report: a GOAWAY of our own with an error code, which nghttp2 sends when the
// server broke the protocol (a malformed frame, a flow-control overflow, a
// flood). Node then ends the session quietly and may even end open streams
// as if they completed; libcurl fails them (CURLE_HTTP2). Only frame headers
// are read: a payload is skipped by its length, except GOAWAY's 8 bytes.
const GOAWAY = 7;

export class FrameWatch {
  #hdr = Buffer.alloc(9);
  #hdrLen = 0;
  /** payload bytes still to skip (or to read, for a GOAWAY) */
  #left = 0;
  #goaway: number[] | null = null;
  /** the client connection preface ("PRI * HTTP/2.0...", 24 bytes) is not a frame */
  #preface = 24;

  /** Feed written bytes; returns a GOAWAY's error code when one was completed, else -1. */
  feed(b: Buffer): number {
    let found = -1;
    let i = Math.min(this.#preface, b.length);
    this.#preface -= i;
    while (i < b.length) {
      if (this.#left === 0 && this.#goaway === null) {
        const n = Math.min(9 - this.#hdrLen, b.length - i);
        b.copy(this.#hdr, this.#hdrLen, i, i + n);
        this.#hdrLen += n;
        i += n;
        if (this.#hdrLen < 9) break;
        this.#hdrLen = 0;
        this.#left = this.#hdr.readUIntBE(0, 3);
        if (this.#hdr[3] === GOAWAY) this.#goaway = [];
        continue;
      }
      const n = Math.min(this.#left, b.length - i);
      if (this.#goaway !== null) {
        for (let k = 0; k < n && this.#goaway.length < 8; k++) this.#goaway.push(b[i + k]!);
      }
      this.#left -= n;
      i += n;
      if (this.#left === 0 && this.#goaway !== null) {
        const g = this.#goaway;
        this.#goaway = null;
        if (g.length === 8) found = ((g[4]! << 24) | (g[5]! << 16) | (g[6]! << 8) | g[7]!) >>> 0;
      }
    }
    return found;
  }
}
