// Watches HTTP/2 frame headers going by for what node:http2 does not report.
// Written frames: a GOAWAY of our own with an error code, which nghttp2 sends
// when the server broke the protocol (a malformed frame, a flow-control
// overflow, a flood); Node then ends the session quietly and may even end
// open streams as if they completed, where libcurl fails them (CURLE_HTTP2).
// Received frames: a PUSH_PROMISE's stream (the parent of the push), which
// node:http2 does not tell its 'stream' event. Only frame headers and the
// first bytes of a watched frame's payload are read; the rest is skipped by
// its length.
const GOAWAY = 7;
const PUSH_PROMISE = 5;
const FLAG_PADDED = 0x8;

/** A watched frame: its flags, stream id and the first payload bytes. */
export type FrameSeen = (flags: number, streamId: number, head: readonly number[]) => void;

class FrameScanner {
  #hdr = Buffer.alloc(9);
  #hdrLen = 0;
  /** payload bytes still to skip (or to read, for a watched frame) */
  #left = 0;
  #head: number[] | null = null;
  #flags = 0;
  #stream = 0;
  /** a preface that is not a frame (the client's "PRI * HTTP/2.0...", 24 bytes) */
  #preface: number;
  readonly #type: number;
  readonly #want: number;

  constructor(type: number, want: number, preface: number) {
    this.#type = type;
    this.#want = want;
    this.#preface = preface;
  }

  feed(b: Buffer, seen: FrameSeen): void {
    let i = Math.min(this.#preface, b.length);
    this.#preface -= i;
    while (i < b.length) {
      if (this.#left === 0 && this.#head === null) {
        const n = Math.min(9 - this.#hdrLen, b.length - i);
        b.copy(this.#hdr, this.#hdrLen, i, i + n);
        this.#hdrLen += n;
        i += n;
        if (this.#hdrLen < 9) break;
        this.#hdrLen = 0;
        this.#left = this.#hdr.readUIntBE(0, 3);
        if (this.#hdr[3] === this.#type) {
          this.#head = [];
          this.#flags = this.#hdr[4]!;
          this.#stream = this.#hdr.readUInt32BE(5) & 0x7fffffff;
          if (this.#left === 0) this.#done(seen);
        }
        continue;
      }
      const n = Math.min(this.#left, b.length - i);
      const head = this.#head;
      if (head !== null) for (let k = 0; k < n && head.length < this.#want; k++) head.push(b[i + k]!);
      this.#left -= n;
      i += n;
      if (this.#left === 0 && head !== null) this.#done(seen);
    }
  }

  #done(seen: FrameSeen): void {
    const head = this.#head!;
    this.#head = null;
    seen(this.#flags, this.#stream, head);
  }
}

/** The frames a session writes: reports a GOAWAY's error code. */
export class FrameWatch {
  readonly #scan = new FrameScanner(GOAWAY, 8, 24);
  #found = -1;
  readonly #seen: FrameSeen = (_f, _s, g) => {
    if (g.length === 8) this.#found = ((g[4]! << 24) | (g[5]! << 16) | (g[6]! << 8) | g[7]!) >>> 0;
  };

  /** Feed written bytes; returns a GOAWAY's error code when one was completed, else -1. */
  feed(b: Buffer): number {
    this.#found = -1;
    this.#scan.feed(b, this.#seen);
    return this.#found;
  }
}

/** The frames a session receives: each PUSH_PROMISE's parent stream and promised stream. */
export class PushPromiseWatch {
  readonly #scan = new FrameScanner(PUSH_PROMISE, 5, 0);
  readonly #seen: FrameSeen;

  constructor(onPromise: (parent: number, promised: number) => void) {
    this.#seen = (flags, stream, h) => {
      // PADDED: a pad length byte comes before the promised stream id
      const o = flags & FLAG_PADDED ? 1 : 0;
      if (h.length < o + 4) return;
      const promised = ((h[o]! << 24) | (h[o + 1]! << 16) | (h[o + 2]! << 8) | h[o + 3]!) & 0x7fffffff;
      onPromise(stream, promised);
    };
  }

  feed(b: Buffer): void {
    this.#scan.feed(b, this.#seen);
  }
}
