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
import { addField, HeaderLines, statusResult, type HeaderInfo } from './headers.js';

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
  let inBlock = false;
  let result: Result = undefined;
  let count = 0;
  const lines = new HeaderLines(text);
  while (lines.next()) {
    const { start, end } = lines;
    if (!inBlock) {
      if (end === start) continue; // the blank line after the last block
      result = statusResult(text.slice(start, end));
      inBlock = true;
      count = 0;
      continue;
    }
    if (end === start) {
      out.push(textBlock(text, shapes, out.length, result, count));
      inBlock = false;
      continue;
    }
    lines.split();
    starts[count] = start;
    nameEnds[count] = lines.nameEnd;
    valueStarts[count] = lines.valueStart;
    ends[count] = end;
    count++;
  }
  if (inBlock) out.push(textBlock(text, shapes, out.length, result, count));
  if (shapes.blocks.length > out.length) shapes.blocks.length = out.length;
  return out;
}

/** The object of block `b`, whose `count` header lines' bounds are in the scratch arrays. */
function textBlock(text: string, shapes: HeaderShapes, b: number, result: Result, count: number): HeaderInfo {
  const shape = (shapes.blocks[b] ??= new BlockShape());
  const names = shape.names;
  let same = names.length === count;
  for (let j = 0; same && j < count; j++) {
    const name = names[j]!;
    const s = starts[j]!;
    same = nameEnds[j]! - s === name.length && text.startsWith(name, s);
  }
  if (!same) for (let j = 0; j < count; j++) names[j] = text.slice(starts[j]!, nameEnds[j]!);
  for (let j = 0; j < count; j++) values[j] = text.slice(valueStarts[j]!, ends[j]!);
  return shapedBlock(shape, result, count, same);
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
  if (!same) for (let j = 0; j < count; j++) names[j] = fields[2 * j]!;
  for (let j = 0; j < count; j++) values[j] = fields[2 * j + 1]!;
  return shapedBlock(shape, result, count, same);
}

/**
 * A block from its `count` names (shape.names) and values (the scratch
 * `values`); `same`: the names are those of the block the time before.
 * Twice the same names in a row and the block is made by a compiled shape;
 * otherwise the plain way (headers.ts), noting whether the shape may ever be
 * compiled.
 */
function shapedBlock(shape: BlockShape, result: Result, count: number, same: boolean): HeaderInfo {
  const names = shape.names;
  names.length = count;
  if (same) {
    if (shape.factory === null && shape.repeated) shape.factory = factoryFor(names);
    shape.repeated = true;
  } else {
    shape.repeated = false;
    shape.factory = null;
  }
  const f = shape.factory;
  if (f !== null) {
    const obj = f(result, values);
    values.length = 0;
    return obj;
  }
  const obj: Record<string, unknown> = { result };
  let plainOnly = count > MAX_FACTORY_HEADERS;
  for (let j = 0; j < count; j++) {
    const name = names[j]!;
    if (name === '__proto__' || (name.length === 10 && name.toUpperCase() === 'SET-COOKIE')) plainOnly = true;
    addField(obj, name, values[j]!);
  }
  values.length = 0;
  if (plainOnly) {
    // never a factory for this shape: the names are forgotten, so the next block is not "the same"
    names.length = 0;
    shape.repeated = false;
  }
  return obj as HeaderInfo;
}
