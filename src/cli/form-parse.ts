// -F/--form and --form-string as curl's tool_formparse.c reads them:
//   name=value[;type=a/b[; params]][;filename=x][;headers=h|@file][;encoder=e]
//   name=@file[;...][,@file2...]   a file part (several: multipart/mixed subparts)
//   name=<file[;...]               the part's content comes from a file, no file name
// Words may be "quoted" with \\ and \" escapes. --form-string takes the value
// literally. Pure parsing: the result is a description the operation turns
// into curl_mime calls.
import { readFileSync } from 'node:fs';
import { bufferToText } from '../url/url-bytes.js';

export interface FormPartSpec {
  kind: 'data' | 'file' | 'filedata' | 'stdin';
  /** literal data, or the local file name */
  value: string;
  type?: string;
  filename?: string;
  encoder?: string;
  headers: string[];
}

export interface FormFieldSpec {
  name: string | null;
  /** one part, or several files as subparts */
  parts: FormPartSpec[];
  multiFile: boolean;
}

export type FormParse = { ok: true; field: FormFieldSpec } | { ok: false; warning: string };

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

class Cursor {
  s: string;
  p = 0;
  constructor(s: string) {
    this.s = s;
  }
  get c(): string | undefined {
    return this.s[this.p];
  }
}

/** get_param_word: a "quoted" or plain word ending at ';', `endchar` or the end. */
function word(cur: Cursor, endchar: string, warn: (w: string) => void): { text: string; quoted: boolean } {
  const s = cur.s;
  if (s[cur.p] === '"') {
    let out = '';
    for (let p = cur.p + 1; p < s.length; p++) {
      if (s[p] === '\\' && (s[p + 1] === '\\' || s[p + 1] === '"')) {
        out += s[++p];
        continue;
      }
      if (s[p] === '"') {
        let q = p + 1;
        let trailing = false;
        while (q < s.length && s[q] !== ';' && s[q] !== endchar) {
          if (!isSpace(s[q])) trailing = true;
          q++;
        }
        if (trailing) warn('Trailing data after quoted form parameter');
        cur.p = q;
        return { text: out, quoted: true };
      }
      out += s[p];
    }
    // no end quote: an unquoted word
  }
  const start = cur.p;
  while (cur.p < s.length && s[cur.p] !== ';' && s[cur.p] !== endchar) cur.p++;
  return { text: s.slice(start, cur.p), quoted: false };
}

/** get_param_part: the value and its ;key=value modifiers. Returns the separator that ended it. */
function paramPart(cur: Cursor, endchar: string, warn: (w: string) => void, allowFilename: boolean):
  { value: string; type?: string; filename?: string; encoder?: string; headers: string[]; sep: string } | { error: string } {
  while (isSpace(cur.c)) cur.p++;
  const w = word(cur, endchar, warn);
  const value = w.quoted ? w.text : w.text.replace(/\s+$/, '');
  const headers: string[] = [];
  let type: string | undefined;
  let filename: string | undefined;
  let encoder: string | undefined;
  let sep = cur.c ?? '';
  while (sep === ';') {
    cur.p++;
    while (isSpace(cur.c)) cur.p++;
    const rest = cur.s.slice(cur.p);
    if (type === undefined && /^type=/i.test(rest)) {
      cur.p += 5;
      while (isSpace(cur.c)) cur.p++;
      const m = /^([^/ ]{1,127})\/([^;,\n]{1,127})/.exec(cur.s.slice(cur.p));
      if (!m) return { error: 'Illegally formatted content-type field!' };
      // the type runs on through parameters ("; charset=x") until a known key
      let t = cur.s.slice(cur.p).split(endchar === '\0' ? /(?=;\s*(?:filename|headers|encoder)=)/i : /(?=;\s*(?:filename|headers|encoder)=)|,/i)[0]!;
      cur.p += t.length;
      t = t.replace(/\s+$/, '');
      type = t;
    } else if (/^filename=/i.test(rest)) {
      cur.p += 9;
      while (isSpace(cur.c)) cur.p++;
      const f = word(cur, endchar, warn);
      filename = f.quoted ? f.text : f.text.replace(/\s+$/, '');
    } else if (/^headers=/i.test(rest)) {
      cur.p += 8;
      if (cur.c === '@' || cur.c === '<') {
        cur.p++;
        while (isSpace(cur.c)) cur.p++;
        const f = word(cur, endchar, warn);
        try {
          // a header file: one header per line, '#' comments, indented lines continue the previous one
          for (const line of bufferToText(readFileSync(f.text)).split(/\r?\n/)) {
            if (!line.trim() || line.startsWith('#')) continue;
            if (/^\s/.test(line) && headers.length) headers[headers.length - 1] += ' ' + line.trim();
            else headers.push(line.trim());
          }
        } catch {
          warn(`Cannot read from ${f.text}: No such file or directory`);
          return { error: `Cannot read from ${f.text}` };
        }
      } else {
        while (isSpace(cur.c)) cur.p++;
        const h = word(cur, endchar, warn);
        headers.push(h.quoted ? h.text : h.text.replace(/\s+$/, ''));
      }
    } else if (/^encoder=/i.test(rest)) {
      cur.p += 8;
      while (isSpace(cur.c)) cur.p++;
      const e = word(cur, endchar, warn);
      encoder = e.quoted ? e.text : e.text.replace(/\s+$/, '');
    } else {
      const u = word(cur, endchar, warn);
      if (u.text) warn(`skip unknown form field: ${u.text}`);
    }
    sep = cur.c ?? '';
  }
  if (filename !== undefined && !allowFilename) {
    warn(`Field file name not allowed here: ${filename}`);
    filename = undefined;
  }
  return { value, headers, sep, ...(type !== undefined ? { type } : {}), ...(filename !== undefined ? { filename } : {}), ...(encoder !== undefined ? { encoder } : {}) };
}

/** formparse(): one -F / --form-string argument. */
export function parseFormField(input: string, literal: boolean, warn: (w: string) => void): FormParse {
  const eq = input.indexOf('=');
  if (eq < 0) return { ok: false, warning: 'Illegally formatted input field!' };
  const name = eq > 0 ? input.slice(0, eq) : null;
  const contents = input.slice(eq + 1);
  if (literal) return { ok: true, field: { name, parts: [{ kind: 'data', value: contents, headers: [] }], multiFile: false } };
  const cur = new Cursor(contents);
  if (contents.startsWith('@')) {
    const parts: FormPartSpec[] = [];
    let sep = ',';
    while (sep === ',') {
      cur.p++; // '@' first, ',' later
      if (parts.length > 0 && cur.c === '@') cur.p++;
      const r = paramPart(cur, ',', warn, true);
      if ('error' in r) return { ok: false, warning: r.error };
      parts.push({
        kind: r.value === '-' ? 'stdin' : 'file', value: r.value, headers: r.headers,
        ...(r.type !== undefined ? { type: r.type } : {}), ...(r.filename !== undefined ? { filename: r.filename } : {}),
        ...(r.encoder !== undefined ? { encoder: r.encoder } : {}),
      });
      sep = r.sep;
    }
    return { ok: true, field: { name, parts, multiFile: parts.length > 1 } };
  }
  const fromFile = contents.startsWith('<');
  if (fromFile) cur.p++;
  const r = paramPart(cur, '\0', warn, !fromFile);
  if ('error' in r) return { ok: false, warning: r.error };
  const part: FormPartSpec = {
    kind: fromFile ? (r.value === '-' ? 'stdin' : 'filedata') : 'data', value: r.value, headers: r.headers,
    ...(r.type !== undefined ? { type: r.type } : {}), ...(r.filename !== undefined ? { filename: r.filename } : {}),
    ...(r.encoder !== undefined ? { encoder: r.encoder } : {}),
  };
  return { ok: true, field: { name, parts: [part], multiFile: false } };
}
