// HPACK's tables (RFC 7541 2.3): the static table of Appendix A and the
// dynamic table, one index space (1..61 static, 62.. dynamic, newest first).
//
// The dynamic table is a FIFO bounded by size (RFC 7541 4.1: 32 + name length
// + value length per entry, octets): inserting evicts the oldest entries until
// the new one fits, an entry larger than the whole table empties it and is not
// kept (4.4), and lowering the maximum size evicts (4.3). It is a ring buffer
// whose capacity doubles when full, so an insert or eviction moves no other
// entry. Strings are latin1 (one char per octet), so a length is a size.
//
// The encoder's table (EncoderTable) also keeps maps from names and
// name/value pairs to entries, kept up to date on insert and eviction, so
// finding a field costs a map lookup instead of a scan.

/** Appendix A: index i + 1 is STATIC_TABLE[i]. */
export const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority',                  ''], // 1
  [':method',                     'GET'], // 2
  [':method',                     'POST'], // 3
  [':path',                       '/'], // 4
  [':path',                       '/index.html'], // 5
  [':scheme',                     'http'], // 6
  [':scheme',                     'https'], // 7
  [':status',                     '200'], // 8
  [':status',                     '204'], // 9
  [':status',                     '206'], // 10
  [':status',                     '304'], // 11
  [':status',                     '400'], // 12
  [':status',                     '404'], // 13
  [':status',                     '500'], // 14
  ['accept-charset',              ''], // 15
  ['accept-encoding',             'gzip, deflate'], // 16
  ['accept-language',             ''], // 17
  ['accept-ranges',               ''], // 18
  ['accept',                      ''], // 19
  ['access-control-allow-origin', ''], // 20
  ['age',                         ''], // 21
  ['allow',                       ''], // 22
  ['authorization',               ''], // 23
  ['cache-control',               ''], // 24
  ['content-disposition',         ''], // 25
  ['content-encoding',            ''], // 26
  ['content-language',            ''], // 27
  ['content-length',              ''], // 28
  ['content-location',            ''], // 29
  ['content-range',               ''], // 30
  ['content-type',                ''], // 31
  ['cookie',                      ''], // 32
  ['date',                        ''], // 33
  ['etag',                        ''], // 34
  ['expect',                      ''], // 35
  ['expires',                     ''], // 36
  ['from',                        ''], // 37
  ['host',                        ''], // 38
  ['if-match',                    ''], // 39
  ['if-modified-since',           ''], // 40
  ['if-none-match',               ''], // 41
  ['if-range',                    ''], // 42
  ['if-unmodified-since',         ''], // 43
  ['last-modified',               ''], // 44
  ['link',                        ''], // 45
  ['location',                    ''], // 46
  ['max-forwards',                ''], // 47
  ['proxy-authenticate',          ''], // 48
  ['proxy-authorization',         ''], // 49
  ['range',                       ''], // 50
  ['referer',                     ''], // 51
  ['refresh',                     ''], // 52
  ['retry-after',                 ''], // 53
  ['server',                      ''], // 54
  ['set-cookie',                  ''], // 55
  ['strict-transport-security',   ''], // 56
  ['transfer-encoding',           ''], // 57
  ['user-agent',                  ''], // 58
  ['vary',                        ''], // 59
  ['via',                         ''], // 60
  ['www-authenticate',            ''], // 61
];

export const STATIC_COUNT = STATIC_TABLE.length;

/** For the encoder: a name's first static index, and each of its static values' index. */
export interface StaticName {
  index: number;
  values: Map<string, number>;
}

/** Name -> its static entries, built once. */
export const STATIC_BY_NAME: ReadonlyMap<string, StaticName> = (() => {
  const m = new Map<string, StaticName>();
  STATIC_TABLE.forEach(([name, value], i) => {
    let e = m.get(name);
    if (e === undefined) m.set(name, (e = { index: i + 1, values: new Map() }));
    if (!e.values.has(value)) e.values.set(value, i + 1);
  });
  return m;
})();

/** RFC 7541 4.1: an entry's size. */
export function entrySize(name: string, value: string): number {
  return 32 + name.length + value.length;
}

export class DynamicTable {
  /** The maximum size, in RFC 7541 4.1 octets. */
  maxSize: number;
  /** The current size. */
  size = 0;
  /** Entries in the table. */
  count = 0;
  /** Entries ever inserted: the newest entry is number inserted - 1, the oldest inserted - count. */
  inserted = 0;
  protected names: string[] = new Array<string>(16).fill('');
  protected values: string[] = new Array<string>(16).fill('');
  /** The slot of the newest entry. */
  private head = -1;
  private mask = 15;

  constructor(maxSize: number) {
    this.maxSize = maxSize;
  }

  /** Name of entry i, 0 the newest (HPACK index 62 + i); i < count. */
  name(i: number): string {
    return this.names[(this.head - i) & this.mask]!;
  }

  value(i: number): string {
    return this.values[(this.head - i) & this.mask]!;
  }

  /** The entries, newest first (HPACK index 62 onwards): for tests and diagnostics. */
  entries(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = 0; i < this.count; i++) out.push([this.name(i), this.value(i)]);
    return out;
  }

  /** Inserts as the newest entry, evicting the oldest as needed (RFC 7541 4.4). */
  add(name: string, value: string): void {
    const size = entrySize(name, value);
    if (size > this.maxSize) {
      this.evictTo(0);
      return;
    }
    this.evictTo(this.maxSize - size);
    if (this.count === this.names.length) this.grow();
    this.head = (this.head + 1) & this.mask;
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.count++;
    this.size += size;
    this.onInsert(name, value, this.inserted++);
  }

  /** A new maximum size (a Dynamic Table Size Update, RFC 7541 6.3): evicts down to it. */
  setMaxSize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
  }

  /** Evicts the oldest entries until the size is at most `limit`. */
  private evictTo(limit: number): void {
    while (this.size > limit) {
      const slot = (this.head - this.count + 1) & this.mask;
      const name = this.names[slot]!;
      const value = this.values[slot]!;
      this.size -= entrySize(name, value);
      this.onEvict(name, value, this.inserted - this.count);
      this.count--;
      // drop the references: the table is what keeps a peer's strings alive
      this.names[slot] = '';
      this.values[slot] = '';
    }
  }

  /** Doubles the ring, oldest entry first in the new one. */
  private grow(): void {
    const cap = this.names.length;
    const names = new Array<string>(cap * 2).fill('');
    const values = new Array<string>(cap * 2).fill('');
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head - this.count + 1 + i) & this.mask;
      names[i] = this.names[slot]!;
      values[i] = this.values[slot]!;
    }
    this.names = names;
    this.values = values;
    this.head = this.count - 1;
    this.mask = cap * 2 - 1;
  }

  protected onInsert(_name: string, _value: string, _seq: number): void {}
  protected onEvict(_name: string, _value: string, _seq: number): void {}
}

/** The encoder's dynamic table, with lookups by name and by name/value pair. */
export class EncoderTable extends DynamicTable {
  /** name -> value -> insertion number of the newest entry with that pair */
  private readonly pairs = new Map<string, Map<string, number>>();
  /** name -> insertion number of the newest entry with that name */
  private readonly byName = new Map<string, number>();

  /** HPACK index (62..) of an entry with this name and value, or 0. */
  indexOfPair(name: string, value: string): number {
    const seq = this.pairs.get(name)?.get(value);
    return seq === undefined ? 0 : 62 + this.inserted - 1 - seq;
  }

  /** HPACK index (62..) of an entry with this name, or 0. */
  indexOfName(name: string): number {
    const seq = this.byName.get(name);
    return seq === undefined ? 0 : 62 + this.inserted - 1 - seq;
  }

  protected override onInsert(name: string, value: string, seq: number): void {
    let values = this.pairs.get(name);
    if (values === undefined) this.pairs.set(name, (values = new Map()));
    values.set(value, seq);
    this.byName.set(name, seq);
  }

  protected override onEvict(name: string, value: string, seq: number): void {
    // a newer entry with the same name or pair keeps its own (newer) number in the maps
    if (this.byName.get(name) === seq) this.byName.delete(name);
    const values = this.pairs.get(name);
    if (values !== undefined && values.get(value) === seq) {
      values.delete(value);
      if (values.size === 0) this.pairs.delete(name);
    }
  }
}
