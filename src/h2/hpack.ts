// HPACK (RFC 7541): header compression for tscurl's own HTTP/2 layer. One
// HpackEncoder per connection for the blocks we send, one HpackDecoder for the
// blocks we receive; each owns a dynamic table that must stay in step with the
// peer's, so every block must go through them in connection order.
//
// Strings are latin1: a header value is octets, one char per octet, never
// UTF-8 decoded.
//
// Encoder policy (the hot path: every request). A field already in a table as
// name and value is sent as its index (1-2 octets). Otherwise it is a literal
// naming the name by index when a table has it, with the strings
// Huffman-coded when that is shorter, and:
//  - never indexed (RFC 7541 6.2.3, so intermediaries keep it out of their
//    tables too) for the caller's sensitive fields, `authorization`,
//    `proxy-authorization`, and a `cookie` shorter than 20 octets (a short
//    secret can be guessed by probing the table: CRIME); as nghttp2 does;
//  - without indexing for values that change on nearly every message, where
//    an entry would only push useful ones out: `:path`, `content-length`,
//    `age`, `etag`, `if-modified-since`, `if-none-match`, `location`,
//    `set-cookie` (nghttp2's list), and any entry larger than 3/4 of the table;
//  - with incremental indexing for everything else (`:authority`,
//    `user-agent`, `accept`, long cookies...), so a repeated request costs an
//    octet per such field plus its path.
import { HpackError } from './hpack-error.js';
import { huffmanDecode, huffmanEncode, huffmanEncodedLength } from './hpack-huffman.js';
import { DynamicTable, EncoderTable, STATIC_BY_NAME, STATIC_COUNT, STATIC_TABLE, entrySize } from './hpack-table.js';

export { HpackError } from './hpack-error.js';

/** RFC 7540 6.5.2: SETTINGS_HEADER_TABLE_SIZE before any SETTINGS. */
const DEFAULT_TABLE_SIZE = 4096;

/** Fields whose values rarely repeat: literal without indexing. */
const NOT_INDEXED = new Set([
  ':path', 'content-length', 'age', 'etag', 'if-modified-since', 'if-none-match', 'location', 'set-cookie',
]);

/** A cookie shorter than this is sent never indexed. */
const SHORT_COOKIE = 20;

/** The encoder's block buffer is kept up to this size. */
const KEEP_BUFFER = 16 * 1024;

/** The largest integer a decoder accepts (table sizes, indexes, lengths): beyond it is an attack or a bug. */
const MAX_INT = 0x7fffffff;
/** Continuation octets of an integer: 5 hold 35 bits, more than MAX_INT needs after any prefix. */
const MAX_INT_OCTETS = 5;

/** What both ends show of their dynamic table, for tests and diagnostics: its size (RFC 7541 4.1 octets), maximum and entries newest first. */
abstract class HpackContext<T extends DynamicTable> {
  protected constructor(protected readonly table: T) {}

  get tableSize(): number {
    return this.table.size;
  }

  get tableMaxSize(): number {
    return this.table.maxSize;
  }

  tableEntries(): [string, string][] {
    return this.table.entries();
  }
}

export class HpackEncoder extends HpackContext<EncoderTable> {
  /** Our own cap on the table size (the peer may allow more). */
  private readonly cap: number;
  /** Size updates the next block must start with: the smallest size since the last block, then the final one; -1 none. */
  private updateMin = -1;
  private updateFinal = -1;
  /** Where blocks are written before being copied out; grows to the largest block. */
  private buf = Buffer.allocUnsafe(1024);
  private pos = 0;

  constructor(opts?: { maxTableSize?: number }) {
    super(new EncoderTable(DEFAULT_TABLE_SIZE));
    this.cap = opts?.maxTableSize ?? DEFAULT_TABLE_SIZE;
    // the peer's decoder starts at the default: a smaller cap is signaled in the first block
    if (this.cap < DEFAULT_TABLE_SIZE) this.resize(this.cap);
  }

  /** the peer's SETTINGS_HEADER_TABLE_SIZE: the next block starts with a Dynamic Table Size Update if it lowers ours */
  setPeerMaxTableSize(n: number): void {
    const size = Math.min(this.cap, n);
    if (size !== this.table.maxSize) this.resize(size);
  }

  /** one header block; names are lower case already; `neverIndex` true: every field literal never-indexed (curl's sensitive fields); a Set: those names */
  encode(fields: readonly (readonly [string, string])[], neverIndex?: boolean | ReadonlySet<string>): Buffer {
    // worst case: two size updates, then per field an index or a literal of at most 6 + 6 + name + 6 + value octets
    let bound = 12;
    for (let i = 0; i < fields.length; i++) bound += 18 + fields[i]![0].length + fields[i]![1].length;
    // the buffer is kept for the connection's next blocks, so a rare huge block gets one of its own
    if (this.buf.length < bound) this.buf = Buffer.allocUnsafe(bound <= KEEP_BUFFER ? Math.min(KEEP_BUFFER, Math.max(bound, this.buf.length * 2)) : bound);
    this.pos = 0;
    if (this.updateFinal >= 0) {
      if (this.updateMin < this.updateFinal) this.writeInt(this.updateMin, 0x1f, 0x20);
      this.writeInt(this.updateFinal, 0x1f, 0x20);
      this.updateMin = this.updateFinal = -1;
    }
    const allSensitive = neverIndex === true;
    const sensitiveNames = typeof neverIndex === 'object' ? neverIndex : undefined;
    for (let i = 0; i < fields.length; i++) {
      const name = fields[i]![0];
      const value = fields[i]![1];
      const sensitive =
        allSensitive ||
        (sensitiveNames !== undefined && sensitiveNames.has(name)) ||
        name === 'authorization' ||
        name === 'proxy-authorization' ||
        (name === 'cookie' && value.length < SHORT_COOKIE);
      this.field(name, value, sensitive);
    }
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    if (this.buf.length > KEEP_BUFFER) this.buf = Buffer.allocUnsafe(KEEP_BUFFER);
    return out;
  }

  private field(name: string, value: string, sensitive: boolean): void {
    const st = STATIC_BY_NAME.get(name);
    let nameIndex = st === undefined ? 0 : st.index;
    if (!sensitive) {
      const full = st?.values.get(value) ?? this.table.indexOfPair(name, value);
      if (full > 0) {
        this.writeInt(full, 0x7f, 0x80);
        return;
      }
    }
    if (nameIndex === 0) nameIndex = this.table.indexOfName(name);
    if (sensitive) {
      this.writeInt(nameIndex, 0x0f, 0x10);
    } else if (NOT_INDEXED.has(name) || entrySize(name, value) > (this.table.maxSize * 3) / 4) {
      this.writeInt(nameIndex, 0x0f, 0x00);
    } else {
      this.writeInt(nameIndex, 0x3f, 0x40);
      if (nameIndex === 0) this.writeString(name);
      this.writeString(value);
      this.table.add(name, value);
      return;
    }
    if (nameIndex === 0) this.writeString(name);
    this.writeString(value);
  }

  /** RFC 7541 5.1: `first` holds the representation's high bits, `mask` the prefix (2^N - 1). */
  private writeInt(n: number, mask: number, first: number): void {
    const buf = this.buf;
    if (n < mask) {
      buf[this.pos++] = first | n;
      return;
    }
    buf[this.pos++] = first | mask;
    n -= mask;
    while (n >= 128) {
      buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    buf[this.pos++] = n;
  }

  /** RFC 7541 5.2: Huffman-coded when that is shorter. */
  private writeString(s: string): void {
    const huffman = huffmanEncodedLength(s);
    if (huffman < s.length) {
      this.writeInt(huffman, 0x7f, 0x80);
      this.pos = huffmanEncode(s, this.buf, this.pos);
      return;
    }
    this.writeInt(s.length, 0x7f, 0x00);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
    this.pos = pos;
  }

  /** A change of our table size: applied now, signaled at the start of the next block (RFC 7541 4.2, 6.3). */
  private resize(size: number): void {
    this.updateMin = this.updateMin < 0 ? size : Math.min(this.updateMin, size);
    this.updateFinal = size;
    this.table.setMaxSize(size);
  }
}

export class HpackDecoder extends HpackContext<DynamicTable> {
  /** The size we announced: the peer's size updates may not exceed it. */
  private bound: number;
  /** True after the announced size went below the table's: the next block must start with a size update. */
  private updateRequired: boolean;
  private readonly maxHeaderListSize: number;
  private pos = 0;

  constructor(opts?: { maxTableSize?: number; maxHeaderListSize?: number }) {
    super(new DynamicTable(DEFAULT_TABLE_SIZE));
    this.bound = opts?.maxTableSize ?? DEFAULT_TABLE_SIZE;
    this.maxHeaderListSize = opts?.maxHeaderListSize ?? Infinity;
    this.updateRequired = this.bound < this.table.maxSize;
  }

  /**
   * the table size we announced in SETTINGS (upper bound for the peer's size updates).
   * Raise it when sending the SETTINGS; lower it when the peer acknowledges
   * them: from then on the peer's next block must start with a size update
   * that fits (RFC 7541 4.2), as nghttp2 requires.
   */
  setMaxTableSize(n: number): void {
    this.bound = n;
    if (n < this.table.maxSize) this.updateRequired = true;
  }

  /** decodes a whole header block (HEADERS+CONTINUATION fragments joined by the caller); throws HpackError on any error;
      when the decoded list exceeds maxHeaderListSize (RFC 7540 6.5.2 size: 32+name+value per field) it still decodes the
      whole block (the dynamic table must stay in sync) and returns 'too-large' instead of the fields */
  decode(block: Buffer): [string, string][] | 'too-large' {
    const end = block.length;
    const out: [string, string][] = [];
    let listSize = 0;
    let tooLarge = false;
    let atStart = true;
    this.pos = 0;
    while (this.pos < end) {
      const b = block[this.pos]!;
      if ((b & 0xe0) === 0x20) {
        // 6.3 Dynamic Table Size Update: only before the first field
        if (!atStart) throw new HpackError('HPACK: dynamic table size update after a header field');
        const size = this.readInt(block, 0x1f);
        if (size > this.bound) throw new HpackError(`HPACK: dynamic table size update to ${size}, above the announced ${this.bound}`);
        this.table.setMaxSize(size);
        this.updateRequired = false;
        continue;
      }
      if (this.updateRequired) throw new HpackError('HPACK: header block without the required dynamic table size update');
      atStart = false;
      let name: string;
      let value: string;
      if (b & 0x80) {
        // 6.1 Indexed Header Field
        const index = this.readInt(block, 0x7f);
        if (index === 0) throw new HpackError('HPACK: index 0');
        if (index <= STATIC_COUNT) {
          name = STATIC_TABLE[index - 1]![0];
          value = STATIC_TABLE[index - 1]![1];
        } else {
          const i = this.dynamicIndex(index);
          name = this.table.name(i);
          value = this.table.value(i);
        }
      } else {
        // 6.2.1 with incremental indexing (01, 6-bit index), 6.2.2 without (0000) and 6.2.3 never indexed (0001): 4-bit index
        const indexing = (b & 0x40) !== 0;
        const index = this.readInt(block, indexing ? 0x3f : 0x0f);
        if (index === 0) name = this.readString(block);
        else if (index <= STATIC_COUNT) name = STATIC_TABLE[index - 1]![0];
        else name = this.table.name(this.dynamicIndex(index));
        value = this.readString(block);
        if (indexing) this.table.add(name, value);
      }
      if (tooLarge) continue;
      listSize += 32 + name.length + value.length;
      if (listSize > this.maxHeaderListSize) {
        // go on decoding: the rest of the block may change the table
        tooLarge = true;
        out.length = 0;
        continue;
      }
      out.push([name, value]);
    }
    if (this.updateRequired) throw new HpackError('HPACK: header block without the required dynamic table size update');
    return tooLarge ? 'too-large' : out;
  }

  /** 0-based dynamic table position of HPACK index `index` (> 61). */
  private dynamicIndex(index: number): number {
    const i = index - STATIC_COUNT - 1;
    if (i >= this.table.count) throw new HpackError(`HPACK: index ${index} beyond the tables (${STATIC_COUNT + this.table.count} entries)`);
    return i;
  }

  /** RFC 7541 5.1: an integer with a prefix of mask = 2^N - 1 at this.pos. */
  private readInt(block: Buffer, mask: number): number {
    const end = block.length;
    let n = block[this.pos++]! & mask;
    if (n < mask) return n;
    let scale = 1;
    for (let octets = 0; octets < MAX_INT_OCTETS; octets++) {
      if (this.pos >= end) throw new HpackError('HPACK: header block ends inside an integer');
      const c = block[this.pos++]!;
      n += (c & 0x7f) * scale;
      if ((c & 0x80) === 0) {
        if (n > MAX_INT) throw new HpackError('HPACK: integer overflow');
        return n;
      }
      scale *= 128;
    }
    throw new HpackError('HPACK: integer overflow');
  }

  /** RFC 7541 5.2: a string literal at this.pos, checked against the octets present before anything is allocated. */
  private readString(block: Buffer): string {
    if (this.pos >= block.length) throw new HpackError('HPACK: header block ends before a string literal');
    const huffman = (block[this.pos]! & 0x80) !== 0;
    const len = this.readInt(block, 0x7f);
    const start = this.pos;
    if (len > block.length - start) throw new HpackError('HPACK: string literal runs past the end of the header block');
    this.pos = start + len;
    if (huffman) return huffmanDecode(block, start, start + len);
    return latin1(block, start, start + len);
  }
}

/** block[start, end) as a latin1 string: up to 12 chars (below V8's cons-string length, so the result stays flat) without a call into C++. */
function latin1(block: Buffer, start: number, end: number): string {
  if (end - start > 12) return block.toString('latin1', start, end);
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(block[i]!);
  return s;
}
