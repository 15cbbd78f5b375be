// Where one transfer's body goes: stdout, or a file opened at the first
// byte (curl's tool_create_output_file). The clobber rules are curl's:
// -o/-O overwrite by default; a -J (Content-Disposition) name never
// overwrites; --no-clobber tries NAME.1 .. NAME.99 instead. It counts the
// bytes written so a retry can truncate them away and --remove-on-error
// can delete the file.
import { mkdirSync, openSync, writeSync, closeSync, ftruncateSync, unlinkSync, constants as fsc } from 'node:fs';
import { dirname } from 'node:path';

export type ClobberMode = 'default' | 'always' | 'never';

export interface OutputHooks {
  /** false once stdout failed (EPIPE, ENOSPC) */
  stdout(b: Buffer): boolean;
  /** curl's warnf */
  warn(msg: string): void;
}

const errnoText: Record<string, string> = {
  EEXIST: 'File exists',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
};

export class OutputFile {
  /** undefined: stdout */
  #path: string | undefined;
  #fd: number | undefined;
  /** where the next write goes: after a truncate, back at 0 */
  #pos = 0;
  #isCdFilename = false;
  readonly #createDirs: boolean;
  readonly #clobber: ClobberMode;
  readonly #hooks: OutputHooks;
  /** a resumed download (-C) appends to what the file already has (curl's "ab") */
  readonly #append: boolean;
  /** --out-null: every byte is taken and dropped, no file is made */
  readonly #discard: boolean;
  /** Bytes written since the file was opened (or last truncated). */
  bytes = 0;
  /** -J with -i: header lines kept until the file has its name (null: written as they come) */
  #held: Buffer[] | null = null;

  /**
   * -D: the header lines of a response gather here and go to the file in one
   * write (at the blank line that ends them, before body bytes, at close),
   * as curl's fwrite() to its FILE does; undefined: each write goes out at once.
   */
  #gathered: Buffer[] | undefined;
  #gatheredBytes = 0;

  constructor(path: string | undefined, opts: { createDirs: boolean; clobber: ClobberMode; append?: boolean; discard?: boolean; gather?: boolean }, hooks: OutputHooks) {
    this.#discard = opts.discard ?? false;
    this.#path = path === '-' || this.#discard ? undefined : path;
    if (opts.gather && this.#path !== undefined) this.#gathered = [];
    this.#append = opts.append ?? false;
    this.#createDirs = opts.createDirs;
    this.#clobber = opts.clobber;
    this.#hooks = hooks;
  }

  get toStdout(): boolean {
    return this.#path === undefined && !this.#discard;
  }
  /** The name actually used (after --no-clobber numbering). */
  get filename(): string | undefined {
    return this.#path;
  }
  get opened(): boolean {
    return this.#fd !== undefined;
  }

  /**
   * -J with -i (curl 8.10): the header lines wait in memory until the file is named, by a
   * Content-Disposition header or, when the body starts without one, by the URL; then they
   * are written first. (Writing them at once opened the URL's name before the header came.)
   */
  holdHeaders(): void {
    this.#held ??= [];
  }

  /** A retry starts over: header lines held from the failed attempt go. */
  dropHeld(): void {
    if (this.#held) this.#held = [];
  }

  /** -J: the server's file name replaces the URL's (before any byte is written). */
  useCdFilename(name: string): void {
    this.#path = name;
    this.#isCdFilename = true;
  }

  /** curl's tool_create_output_file(); false after a warning. */
  open(): boolean {
    const fname = this.#path;
    if (fname === undefined || this.#fd !== undefined || this.#discard) return true;
    if (!fname) {
      this.#hooks.warn('Remote filename has no length!\n');
      return false;
    }
    try {
      if (this.#createDirs) mkdirSync(dirname(fname), { recursive: true });
    } catch {
      // curl reports the open failure below
    }
    const overwrite = this.#clobber === 'always' || (this.#clobber === 'default' && !this.#isCdFilename);
    let shown = fname;
    try {
      if (this.#append) this.#fd = openSync(fname, 'a');
      else if (overwrite) this.#fd = openSync(fname, 'w');
      else this.#fd = this.#openExclusive(fname);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.path) shown = err.path;
      this.#hooks.warn(`Failed to open the file ${shown}: ${errnoText[err.code ?? ''] ?? err.message}\n`);
      return false;
    }
    this.bytes = 0;
    this.#pos = 0;
    const held = this.#held;
    this.#held = null;
    for (const line of held ?? []) if (!this.write(line, false)) return false;
    return true;
  }

  #openExclusive(fname: string): number {
    const flags = fsc.O_CREAT | fsc.O_WRONLY | fsc.O_EXCL;
    try {
      return openSync(fname, flags, 0o666);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (this.#clobber !== 'never' || (code !== 'EEXIST' && code !== 'EISDIR')) throw e;
    }
    // --no-clobber: NAME.1 .. NAME.99, and the name used is remembered
    let last: unknown;
    for (let n = 1; n < 100; n++) {
      const candidate = `${fname}.${n}`;
      this.#path = candidate;
      try {
        return openSync(candidate, flags, 0o666);
      } catch (e) {
        last = e;
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'EISDIR') break;
      }
    }
    throw last;
  }

  /** `body` false for -i header lines: curl counts only body bytes (a retry truncates only for them). */
  write(b: Buffer, body = true): boolean {
    if (this.#discard) {
      if (body) this.bytes += b.length;
      return true;
    }
    if (this.#path === undefined) {
      if (!this.#hooks.stdout(b)) return false;
      if (body) this.bytes += b.length;
      return true;
    }
    if (this.#fd === undefined && !body && this.#held) {
      this.#held.push(Buffer.from(b));
      return true;
    }
    if (this.#fd === undefined && !this.open()) return false;
    if (this.#gathered) {
      // copied: a callback's buffer may be reused memory
      this.#gathered.push(Buffer.from(b));
      this.#gatheredBytes += b.length;
      if (body) this.bytes += b.length;
      return true;
    }
    try {
      this.#pos += writeSync(this.#fd!, b, 0, b.length, this.#pos);
      if (body) this.bytes += b.length;
      return true;
    } catch {
      return false;
    }
  }

  /** Writes what gathered (curl's fflush()); false when the write failed. */
  flush(): boolean {
    const list = this.#gathered;
    if (!list || this.#gatheredBytes === 0 || this.#fd === undefined) return true;
    const chunk = list.length === 1 ? list[0]! : Buffer.concat(list, this.#gatheredBytes);
    this.#gathered = [];
    this.#gatheredBytes = 0;
    try {
      this.#pos += writeSync(this.#fd, chunk, 0, chunk.length, this.#pos);
      return true;
    } catch {
      return false;
    }
  }

  /** Before a retry: drop what the failed attempt wrote (curl's ftruncate). */
  truncate(): boolean {
    this.flush();
    if (this.#fd === undefined) return true;
    try {
      ftruncateSync(this.#fd, 0);
      this.bytes = 0;
      this.#pos = 0;
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.flush();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  remove(): void {
    if (this.#path !== undefined) {
      try {
        unlinkSync(this.#path);
      } catch {
        // already gone
      }
    }
  }
}

/** curl's parse_filename() for Content-Disposition: quotes, then only the last path part. */
export function contentDispositionFilename(headerLine: string): string | undefined {
  const m = /^content-disposition:/i.exec(headerLine);
  if (!m) return undefined;
  let p = headerLine.slice(20);
  for (;;) {
    p = p.replace(/^[^A-Za-z]*/, '');
    if (p.length < 9) return undefined;
    if (p.startsWith('filename=')) break;
    const semi = p.indexOf(';');
    if (semi < 0) return undefined;
    p = p.slice(semi);
  }
  let v = p.slice(9);
  let stop = ';';
  if (v.startsWith('"') || v.startsWith("'")) {
    stop = v[0]!;
    v = v.slice(1);
  }
  const end = v.indexOf(stop);
  if (end >= 0) v = v.slice(0, end);
  for (const sep of ['/', '\\']) {
    const q = v.lastIndexOf(sep);
    if (q >= 0) {
      v = v.slice(q + 1);
      if (!v) return undefined;
    }
  }
  v = v.replace(/[\r\n][\s\S]*$/, '');
  return v;
}
