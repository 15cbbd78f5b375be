// parseHeaders() for a handle that parses response after response: the
// same HeaderInfo[] (headers.ts has the rules), built faster. Making each
// block's object header by header costs a map transition and, for a key
// string just sliced from the text, its internalization per header: most of
// the parse (measured: ~420 ns of ~950 for nginx's eight headers; 2.4 us per
// request in the benchmark). A server sends the same names in the same order
// response after response, so once a handle has seen a block's names twice
// in a row, a function whose body is that block as an object literal with
// those names is compiled (and shared by every handle, a bounded number of
// them): it makes the object in one allocation with its final shape.
// Each name goes into the source through JSON.stringify (a string literal,
// whatever the server sent); a block with a Set-Cookie (an array), a
// __proto__ name (a literal's key would set the prototype) or too many
// headers is built the plain way, as is every block when the runtime
// refuses code generation from strings.
import { statusResult, type HeaderInfo } from './headers.js';

type Result = HeaderInfo['result'];
type Factory = (result: Result, values: string[]) => HeaderInfo;

/** What a handle's last parse looked like, by block. */
class BlockShape {
  names: string[] = [];
  /** the names were the same as the time before: worth a factory */
  repeated = false;
  factory: Factory | null = null;
}

export class HeaderShapes {
  readonly blocks: BlockShape[] = [];
}

/** Blocks with more headers than this are built the plain way. */
const MAX_FACTORY_HEADERS = 64;
/** Factories kept for all handles; past this the cache starts over. */
const MAX_FACTORIES = 256;
const factories = new Map<string, Factory>();
let codegenRefused = false;

const SP = 32;
const HTAB = 9;

// a block's line bounds and values, reused from parse to parse (the parse is synchronous)
const starts: number[] = [];
const nameEnds: number[] = [];
const valueStarts: number[] = [];
const ends: number[] = [];
const values: string[] = [];

function factoryFor(names: readonly string[]): Factory | null {
  if (codegenRefused) return null;
  const key = names.join('\n');
  let f = factories.get(key);
  if (f === undefined) {
    const fields = names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ');
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      f = new Function('r', 'v', `return { result: r${fields ? `, ${fields}` : ''} };`) as Factory;
    } catch {
      codegenRefused = true; // --disallow-code-generation-from-strings
      return null;
    }
    if (factories.size >= MAX_FACTORIES) factories.clear();
    factories.set(key, f);
  }
  return f;
}

/** parseHeaders(text) for the handle whose shapes these are. */
export function parseHeadersShaped(text: string, shapes: HeaderShapes): HeaderInfo[] {
  const out: HeaderInfo[] = [];
  const n = text.length;
  let cr = -1; // the next CR at or after i (-2: none left)
  let inBlock = false;
  let result: Result = undefined;
  let count = 0;
  for (let i = 0; i <= n; ) {
    // the next line, [start, end), as headers.ts finds it
    let lf = text.indexOf('\n', i);
    if (lf < 0) lf = n;
    if (cr !== -2 && cr < i) {
      cr = text.indexOf('\r', i);
      if (cr < 0) cr = -2;
    }
    const start = i;
    let end: number;
    if (cr >= 0 && cr < lf) {
      end = cr;
      i = cr === lf - 1 && lf < n ? lf + 1 : cr + 1; // CRLF, or a lone CR
    } else {
      end = lf;
      i = lf + 1;
    }
    if (!inBlock) {
      if (end === start) continue; // the blank line after the last block
      result = statusResult(text.slice(start, end));
      inBlock = true;
      count = 0;
      continue;
    }
    if (end === start) {
      out.push(block(text, shapes, out.length, result, count));
      inBlock = false;
      continue;
    }
    let colon = text.indexOf(':', start);
    if (colon >= end) colon = -1;
    let valueStart = end;
    if (colon >= 0) {
      // one space or tab after the colon is not part of the value
      const first = text.charCodeAt(colon + 1);
      valueStart = first === SP || first === HTAB ? colon + 2 : colon + 1;
      if (valueStart > end) valueStart = end;
    }
    starts[count] = start;
    nameEnds[count] = colon < 0 ? end : colon;
    valueStarts[count] = valueStart;
    ends[count] = end;
    count++;
  }
  if (inBlock) out.push(block(text, shapes, out.length, result, count));
  if (shapes.blocks.length > out.length) shapes.blocks.length = out.length;
  return out;
}

/** The object of block `b`, whose `count` header lines' bounds are in the scratch arrays. */
function block(text: string, shapes: HeaderShapes, b: number, result: Result, count: number): HeaderInfo {
  const shape = (shapes.blocks[b] ??= new BlockShape());
  const names = shape.names;
  let same = names.length === count;
  for (let j = 0; same && j < count; j++) {
    const name = names[j]!;
    const s = starts[j]!;
    same = nameEnds[j]! - s === name.length && text.startsWith(name, s);
  }
  if (same) {
    if (shape.factory === null && shape.repeated) shape.factory = factoryFor(names);
    shape.repeated = true;
    const f = shape.factory;
    if (f !== null) {
      for (let j = 0; j < count; j++) values[j] = text.slice(valueStarts[j]!, ends[j]!);
      const obj = f(result, values);
      values.length = 0;
      return obj;
    }
  } else {
    shape.repeated = false;
    shape.factory = null;
  }
  // the plain way (headers.ts), noting the names for next time
  const obj: Record<string, unknown> = { result };
  let plainOnly = count > MAX_FACTORY_HEADERS;
  for (let j = 0; j < count; j++) {
    const name = same ? names[j]! : text.slice(starts[j]!, nameEnds[j]!);
    const value = text.slice(valueStarts[j]!, ends[j]!);
    if (!same) names[j] = name;
    if (name.length === 10 && name.toUpperCase() === 'SET-COOKIE') {
      plainOnly = true;
      ((obj['Set-Cookie'] ??= []) as string[]).push(value);
    } else {
      if (name === '__proto__') plainOnly = true;
      obj[name] = value;
    }
  }
  names.length = count;
  if (plainOnly) {
    // never a factory for this shape: the names are forgotten, so the next block is not "the same"
    names.length = 0;
    shape.repeated = false;
  }
  return obj as HeaderInfo;
}

/**
 * The block of a response whose header fields the engine stored (flat name,
 * value pairs; HeaderStore.exactResponseFields()), with the same shapes: the
 * engine hands the same name strings response after response, so they are
 * compared by ===.
 */
export function blockFromFields(fields: readonly string[], result: Result, shapes: HeaderShapes): HeaderInfo {
  const shape = (shapes.blocks[0] ??= new BlockShape());
  if (shapes.blocks.length > 1) shapes.blocks.length = 1;
  const names = shape.names;
  const count = fields.length >> 1;
  let same = names.length === count;
  for (let j = 0; same && j < count; j++) same = names[j] === fields[2 * j];
  if (same) {
    if (shape.factory === null && shape.repeated) shape.factory = factoryFor(names);
    shape.repeated = true;
    const f = shape.factory;
    if (f !== null) {
      for (let j = 0; j < count; j++) values[j] = fields[2 * j + 1]!;
      const obj = f(result, values);
      values.length = 0;
      return obj;
    }
  } else {
    shape.repeated = false;
    shape.factory = null;
  }
  const obj: Record<string, unknown> = { result };
  let plainOnly = count > MAX_FACTORY_HEADERS;
  for (let j = 0; j < count; j++) {
    const name = fields[2 * j]!;
    const value = fields[2 * j + 1]!;
    names[j] = name;
    if (name.length === 10 && name.toUpperCase() === 'SET-COOKIE') {
      plainOnly = true;
      ((obj['Set-Cookie'] ??= []) as string[]).push(value);
    } else {
      if (name === '__proto__') plainOnly = true;
      obj[name] = value;
    }
  }
  names.length = count;
  if (plainOnly) {
    names.length = 0;
    shape.repeated = false;
  }
  return obj as HeaderInfo;
}
