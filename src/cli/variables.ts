// --variable and --expand-OPTION (curl's tool_vars.c): a name space of
// byte strings that later option arguments can reference as {{name}} or
// {{name:fn:fn}} with the functions trim, json, url, b64 and 64dec.
import { ParamError } from './param-error.js';

export interface VariableIo {
  readonly env: NodeJS.ProcessEnv;
  /** Reads a file, '-' meaning stdin; throws when it cannot. */
  readFile(path: string): Buffer;
  warn(msg: string): void;
}

const NAME_RE = /^[A-Za-z0-9_]+/;
/** curl's MAX_VAR_LEN: a name in {{}} is shorter than this. */
const MAX_VAR_LEN = 128;

/** JSON string escaping without the surrounding quotes, as curl's jsonquoted(). */
export function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** curl_easy_escape(): everything but ALPHA DIGIT - . _ ~ percent-encoded. */
export function urlEscape(b: Buffer): string {
  let out = '';
  for (const c of b) {
    const ch = String.fromCharCode(c);
    out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : '%' + c.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export class Variables {
  readonly #vars = new Map<string, Buffer>();
  readonly #io: VariableIo;

  constructor(io: VariableIo) {
    this.#io = io;
  }

  get(name: string): Buffer | undefined {
    return this.#vars.get(name);
  }

  /** Handles one --variable argument. */
  set(arg: string): void {
    let rest = arg;
    const importEnv = rest.startsWith('%');
    if (importEnv) rest = rest.slice(1);
    const m = NAME_RE.exec(rest);
    if (!m) {
      this.#io.warn(`Bad --variable syntax, skipping: ${arg}`);
      return;
    }
    const name = m[0];
    rest = rest.slice(name.length);
    let range: { start: number; end: number } | undefined;
    // A '[' and a digit start a byte range, which must then be well formed
    // ([start-] or [start-end], start <= end): curl fails the option else.
    if (/^\[\d/.test(rest)) {
      const r = /^\[(\d+)-(\d*)\]/.exec(rest);
      if (!r) throw ParamError.option('--variable', 'VAR_SYNTAX');
      range = { start: Number(r[1]), end: r[2] === '' ? Infinity : Number(r[2]) };
      rest = rest.slice(r[0].length);
      if (range.start > range.end) throw ParamError.option('--variable', 'VAR_SYNTAX');
    }
    let content: Buffer | undefined;
    if (importEnv) {
      const v = this.#io.env[name];
      if (v !== undefined) content = Buffer.from(v);
    }
    if (content === undefined) {
      if (rest.startsWith('=')) content = Buffer.from(rest.slice(1));
      else if (rest.startsWith('@')) {
        try {
          content = this.#io.readFile(rest.slice(1));
        } catch {
          throw new ParamError([`Failed to open ${rest.slice(1)}`], 26, 'READ_ERROR');
        }
      } else if (importEnv && rest === '') {
        throw new ParamError([`Variable '${name}' import fail, not set`], 2, 'EXPAND_ERROR');
      } else {
        this.#io.warn(`Bad --variable syntax, skipping: ${arg}`);
        return;
      }
    }
    if (range) content = content.subarray(range.start, range.end === Infinity ? undefined : range.end + 1);
    this.#vars.set(name, content);
  }

  /**
   * Expands {{name[:fn...]}} in an --expand-* argument as curl's varexpand(): \{{ stays literal,
   * a name that is too long (MAX_VAR_LEN) or not [A-Za-z0-9_] stays as written, with a warning,
   * and so does the rest after an unclosed {{. When nothing was replaced the argument is used
   * exactly as given (its \{{ keeps the backslash).
   */
  expand(text: string): string {
    let out = '';
    let i = 0;
    let replaced = false;
    // bounded: every turn moves i past a {{
    while (i < text.length) {
      const open = text.indexOf('{{', i);
      if (open < 0) break;
      if (open > i && text[open - 1] === '\\') {
        out += text.slice(i, open - 1) + '{{';
        i = open + 2;
        continue;
      }
      const close = text.indexOf('}}', open + 2);
      if (close < 0) {
        this.#io.warn(`missing close '}}' in '${text}'\n`);
        break;
      }
      const inner = text.slice(open + 2, close);
      const colon = inner.indexOf(':');
      const name = colon < 0 ? inner : inner.slice(0, colon);
      if (name.length === 0 || name.length >= MAX_VAR_LEN) {
        this.#io.warn(`bad variable name length '${text}'\n`);
        out += text.slice(i, close + 2);
      } else if (!/^[A-Za-z0-9_]+$/.test(name)) {
        this.#io.warn(`bad variable name: ${name}\n`);
        out += text.slice(i, close + 2);
      } else {
        out += text.slice(i, open) + this.#applyFunctions(this.#vars.get(name) ?? Buffer.alloc(0), colon < 0 ? [] : inner.slice(colon + 1).split(':'), inner);
        replaced = true;
      }
      i = close + 2;
    }
    return replaced ? out + text.slice(i) : text;
  }

  #applyFunctions(value: Buffer, fns: string[], inner: string): string {
    let v = value;
    let encoded = false;
    for (const fn of fns) {
      if (fn === 'trim') v = Buffer.from(v.toString('latin1').trim(), 'latin1');
      else if (fn === 'json') { v = Buffer.from(jsonEscape(v.toString())); encoded = true; }
      else if (fn === 'url') { v = Buffer.from(urlEscape(v)); encoded = true; }
      else if (fn === 'b64') { v = Buffer.from(v.toString('base64')); encoded = true; }
      else if (fn === '64dec') {
        const s = v.toString().trim();
        v = /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 ? Buffer.from(s, 'base64') : Buffer.from('[64dec-fail]');
        encoded = false;
      } else {
        throw new ParamError([`unknown variable function in '${inner}'`], 2, 'EXPAND_ERROR');
      }
    }
    if (!encoded && v.includes(0)) {
      throw new ParamError(['variable contains null byte'], 2, 'EXPAND_ERROR');
    }
    return v.toString();
  }
}
