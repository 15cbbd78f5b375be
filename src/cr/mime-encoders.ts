// Content-Transfer-Encodings of MIME parts as libcurl's mime.c applies them
// while reading: binary and 8bit pass bytes through, 7bit refuses bytes with
// the high bit set, base64 writes 76-character lines separated by CRLF,
// quoted-printable escapes what is not plain text and breaks lines softly
// before 76 characters. Streaming: each encoder takes input in pieces and
// keeps what it cannot finish yet.

/** libcurl's MAX_ENCODED_LINE_LENGTH */
const MAX_LINE = 76;

export interface Encoder {
  /** Encode a piece; `last` marks the end of the part's data. A string is an error message. */
  push(data: Buffer, last: boolean): Buffer | string;
  /** The encoded size for `size` input bytes, -1 when it cannot be known without reading. */
  size(size: number): number;
  reset(): void;
}

class Identity implements Encoder {
  push(data: Buffer): Buffer {
    return data;
  }
  size(size: number): number {
    return size;
  }
  reset(): void {}
}

class SevenBit implements Encoder {
  push(data: Buffer): Buffer | string {
    for (const b of data) if (b & 0x80) return 'Invalid 7bit data';
    return data;
  }
  size(size: number): number {
    return size;
  }
  reset(): void {}
}

class Base64 implements Encoder {
  #carry = Buffer.alloc(0);
  /** characters on the current output line */
  #pos = 0;
  push(data: Buffer, last: boolean): Buffer {
    const all = this.#carry.length ? Buffer.concat([this.#carry, data]) : data;
    const usable = last ? all.length : all.length - (all.length % 3);
    this.#carry = Buffer.from(all.subarray(usable));
    const text = all.subarray(0, usable).toString('base64');
    let out = '';
    for (let i = 0; i < text.length;) {
      if (this.#pos === MAX_LINE) {
        out += '\r\n';
        this.#pos = 0;
      }
      const n = Math.min(MAX_LINE - this.#pos, text.length - i);
      out += text.slice(i, i + n);
      this.#pos += n;
      i += n;
    }
    return Buffer.from(out, 'latin1');
  }
  size(size: number): number {
    if (size <= 0) return size;
    const chars = 4 * (1 + Math.floor((size - 1) / 3));
    return chars + 2 * Math.floor((chars - 1) / MAX_LINE);
  }
  reset(): void {
    this.#carry = Buffer.alloc(0);
    this.#pos = 0;
  }
}

/** Quoted-printable (RFC 2045 6.7): CRLF stays a line break, other controls and 8-bit bytes are =XX. */
class QuotedPrintable implements Encoder {
  #carry = Buffer.alloc(0);
  #pos = 0;
  push(data: Buffer, last: boolean): Buffer {
    const all = this.#carry.length ? Buffer.concat([this.#carry, data]) : data;
    let out = '';
    let i = 0;
    // keep the last two bytes back until we know what follows them (CRLF, trailing space)
    const stop = last ? all.length : Math.max(0, all.length - 2);
    for (; i < stop; i++) {
      const b = all[i]!;
      if (b === 13 && all[i + 1] === 10) {
        out += '\r\n';
        this.#pos = 0;
        i++;
        continue;
      }
      const atLineEnd = i + 1 === all.length ? last : all[i + 1] === 13 && all[i + 2] === 10;
      let enc: string;
      if ((b === 32 || b === 9) && !atLineEnd) enc = String.fromCharCode(b);
      else if (b >= 33 && b <= 126 && b !== 61) enc = String.fromCharCode(b);
      else enc = '=' + b.toString(16).toUpperCase().padStart(2, '0');
      // a soft line break keeps lines within 76 characters (the '=' counts)
      const limit = atLineEnd ? MAX_LINE : MAX_LINE - 1;
      if (this.#pos + enc.length > limit) {
        out += '=\r\n';
        this.#pos = 0;
      }
      out += enc;
      this.#pos += enc.length;
    }
    this.#carry = Buffer.from(all.subarray(i));
    return Buffer.from(out, 'latin1');
  }
  size(size: number): number {
    return size ? -1 : 0;
  }
  reset(): void {
    this.#carry = Buffer.alloc(0);
    this.#pos = 0;
  }
}

const ENCODERS: Record<string, () => Encoder> = {
  binary: () => new Identity(),
  '8bit': () => new Identity(),
  '7bit': () => new SevenBit(),
  base64: () => new Base64(),
  'quoted-printable': () => new QuotedPrintable(),
};

/** An encoder by its Content-Transfer-Encoding name (case-insensitive), or undefined. */
export function encoderFor(name: string): Encoder | undefined {
  return ENCODERS[name.toLowerCase()]?.();
}
export function isEncoderName(name: string): boolean {
  return name.toLowerCase() in ENCODERS;
}
