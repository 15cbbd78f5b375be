// curl's command-line parser (tool_getparam.c / parse_args) over the
// generated option table. It produces operation groups (split by -:/--next)
// holding the options in the order given; URLs are entries of `url`, so the
// caller can pair them with -o/-O the way curl does. Behaviour follows curl
// 7.88.1: long names match case-insensitively and by unique prefix (`--verb`),
// `--no-NAME` only exactly and only for booleans, no `--opt=value` form.
import { readFileSync, existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { CLI_OPTIONS, type CliOption } from './option-table.js';
import { ParamError, PARAM_TEXT, type ParamReason } from './param-error.js';
import { parseConfigText, findDefaultCurlrc, decodeConfigBytes } from './config-file.js';
import { bufferToText, textToBuffer } from '../url/url-bytes.js';
import { Variables, urlEscape as escapeBytes } from './variables.js';
import { warnText } from './messages.js';

export interface OptEntry {
  readonly opt: CliOption;
  /** The flag as the user wrote it ('-sm', '--max-time', 'url' in a config): curl quotes it in errors. */
  readonly given: string;
  /** true/false for booleans (already inverted for --no-/no-* names), else the argument. */
  readonly value: string | boolean;
  /** Raw bytes for the --data family after @file / url-encoding resolution. */
  readonly data?: Buffer;
}

export interface OpGroup {
  readonly entries: OptEntry[];
}

export type CliAction = { readonly kind: 'help'; readonly category?: string } | { readonly kind: 'version' } | { readonly kind: 'manual' } | { readonly kind: 'engines' };

export interface ParsedArgs {
  /** Options with curl's "Scope: global"; they apply to every group. */
  readonly globals: OptEntry[];
  readonly groups: OpGroup[];
  /** --help/--version/--manual stop parsing where they appear. */
  action?: CliAction;
  readonly variables: Variables;
}

export interface ParseIo {
  readonly env: NodeJS.ProcessEnv;
  /** Reads a file; '-' is stdin. Throws when it cannot. */
  readFile(path: string): Buffer;
  exists(path: string): boolean;
  /** curl's warnf(): the caller prints msg wrapped with `Warning: ` unless silenced; msg carries its own "\n" where curl's does. */
  warn(msg: string): void;
  /** The home directory of the user's passwd entry (curl's getpwuid fallback for .curlrc). */
  passwdHome?(): string | undefined;
}

const defaultIo: ParseIo = {
  env: process.env,
  readFile: (p) => readFileSync(p === '-' ? 0 : p),
  exists: (p) => existsSync(p),
  warn: (m) => process.stderr.write(warnText(m)),
  passwdHome: () => {
    try {
      return userInfo().homedir; // getpwuid, not $HOME
    } catch {
      return undefined;
    }
  },
};

interface LongKey {
  readonly key: string;
  readonly opt: CliOption;
  /** The table name starts with no- (no-buffer): the positive form is --buffer. */
  readonly invert: boolean;
}

/** Old names curl still accepts: --include became --show-headers in 8.10, and so on. */
const OPTION_ALIASES: readonly (readonly [string, string])[] = [
  ['include', 'show-headers'],
  ['ftp-ssl', 'ssl'],
  ['ftp-ssl-reqd', 'ssl-reqd'],
  ['krb4', 'krb'],
];

/**
 * Options curl 7.88 declares ARG_BOOL (so --no-NAME is accepted) although
 * today's docs no longer say "Multi: boolean": --no-remote-name switches a
 * --remote-name-all default off for one URL; the others are no-ops when off.
 */
const BOOLEAN_IN_7_88 = new Set(['remote-name', 'anyauth', 'form-escape', 'manual', 'version']);

let longKeys: LongKey[] | undefined;
let shortMap: Map<string, CliOption> | undefined;
const byName = new Map<string, CliOption>();

function tables(): { longKeys: LongKey[]; shortMap: Map<string, CliOption> } {
  if (!longKeys || !shortMap) {
    longKeys = [];
    shortMap = new Map();
    for (const opt of CLI_OPTIONS) {
      const invert = opt.boolean && opt.long.startsWith('no-');
      longKeys.push({ key: invert ? opt.long.slice(3) : opt.long, opt, invert });
      if (opt.short) shortMap.set(opt.short, opt);
      byName.set(opt.long, opt);
    }
    // names curl's tool still accepts for renamed options (tool_getparam.c's aliases)
    for (const [alias, name] of OPTION_ALIASES) {
      const opt = byName.get(name);
      if (opt) longKeys.push({ key: alias, opt, invert: false });
    }
  }
  return { longKeys, shortMap };
}

/** The table entry for a long name (exact), for callers that synthesise entries. */
export function optionNamed(name: string): CliOption | undefined {
  tables();
  return byName.get(name);
}

let exactKeys: Map<string, LongKey> | undefined;
/** The first table entry named exactly `w` (a config file of many URLs looks up "url" once per line). */
function exactKey(keys: readonly LongKey[], w: string): LongKey | undefined {
  if (!exactKeys) {
    exactKeys = new Map();
    for (const k of keys) if (!exactKeys.has(k.key)) exactKeys.set(k.key, k);
  }
  return exactKeys.get(w);
}

/** Resolves a long option word (without dashes) as curl 7.88 does. */
export function lookupLong(word: string): { opt: CliOption; toggle: boolean; expand: boolean } | ParamReason {
  const { longKeys: keys } = tables();
  let w = word.toLowerCase();
  let toggle = true;
  let noflagged = false;
  let expand = false;
  if (w.startsWith('no-')) {
    w = w.slice(3);
    toggle = false;
    noflagged = true;
  } else if (w.startsWith('expand-')) {
    w = w.slice(7);
    expand = true;
  }
  // an exact name ends the search at once (as the loop below does): one lookup, not a scan, per word
  let hit: LongKey | undefined = exactKey(keys, w);
  let hits = hit ? 1 : 0;
  if (!hit) for (const k of keys) {
    if (k.key === w) {
      hit = k;
      hits = 1;
      break;
    }
    // curl compares strlen("no-"+word) bytes, so a --no- prefix never abbreviates
    if (!noflagged && k.key.startsWith(w)) {
      hit = k;
      hits++;
    }
  }
  if (hits > 1) return 'OPTION_AMBIGUOUS';
  if (!hit) return 'OPTION_UNKNOWN';
  if (noflagged && !hit.opt.boolean && !BOOLEAN_IN_7_88.has(hit.opt.long)) return 'NO_NOT_BOOLEAN';
  if (expand && !hit.opt.arg) return 'BAD_USE';
  return { opt: hit.opt, toggle: hit.invert ? !toggle : toggle, expand };
}

const MAX_CONFIG_DEPTH = 10;

class Parser {
  readonly io: ParseIo;
  readonly result: ParsedArgs;
  #group: OpGroup;
  #configDepth = 0;

  constructor(io: ParseIo) {
    this.io = io;
    this.#group = { entries: [] };
    this.result = { globals: [], groups: [this.#group], variables: new Variables(io) };
  }

  /** curl's parse_args over argv (without node and script). */
  parseArgv(argv: readonly string[]): void {
    let stillFlags = true;
    for (let i = 0; i < argv.length && !this.result.action; i++) {
      const word = argv[i]!;
      if (stillFlags && word.startsWith('-')) {
        if (word === '--') {
          stillFlags = false;
          continue;
        }
        const used = this.getParameter(word, argv[i + 1]);
        if (used) i++;
      } else {
        this.#add(tables().longKeys.find((k) => k.key === 'url')!.opt, word, word);
      }
    }
  }

  /**
   * One option word with its candidate argument; returns whether `nextArg`
   * was consumed. Throws ParamError with curl's wording.
   */
  getParameter(flag: string, nextArg: string | undefined): boolean {
    if (!flag.startsWith('-') || flag.startsWith('--')) {
      const word = flag.startsWith('--') ? flag.slice(2) : flag;
      // curl 8.16: "--name=value" gives an option that takes an argument the text after the first '='
      // (an option without an argument, or no such name, stays an unknown option, as the whole word)
      const eq = flag.startsWith('--') ? word.indexOf('=') : -1;
      if (eq > 0) {
        const named = lookupLong(word.slice(0, eq));
        if (typeof named !== 'string' && named.opt.arg && named.opt.long !== 'help') {
          const value = word.slice(eq + 1);
          this.#apply(named.opt, flag, true, named.expand ? this.result.variables.expand(value) : value);
          return false;
        }
      }
      const r = lookupLong(word);
      if (typeof r === 'string') throw ParamError.option(flag, r);
      if (!r.opt.arg || r.opt.long === 'help') {
        this.#apply(r.opt, flag, r.toggle, undefined, nextArg);
        return false;
      }
      if (nextArg === undefined) throw ParamError.option(flag, 'REQUIRES_PARAMETER');
      this.#apply(r.opt, flag, true, r.expand ? this.result.variables.expand(nextArg) : nextArg);
      return true;
    }
    const { shortMap: shorts } = tables();
    for (let p = 1; p < flag.length || p === 1; p++) {
      const letter = flag[p] ?? '';
      const opt = shorts.get(letter);
      if (!opt) throw ParamError.option(flag, 'OPTION_UNKNOWN');
      // --help's <subject> is optional: curl peeks at the next word
      if (!opt.arg || opt.long === 'help') {
        this.#apply(opt, flag, true, undefined, p === flag.length - 1 ? nextArg : undefined);
        if (this.result.action) return false;
        continue;
      }
      const rest = flag.slice(p + 1);
      if (rest !== '') {
        this.#apply(opt, flag, true, rest);
        return false;
      }
      if (nextArg === undefined) throw ParamError.option(flag, 'REQUIRES_PARAMETER');
      this.#apply(opt, flag, true, nextArg);
      return true;
    }
    return false;
  }

  #add(opt: CliOption, given: string, value: string | boolean, data?: Buffer): void {
    const entry: OptEntry = data ? { opt, given, value, data } : { opt, given, value };
    (opt.global ? this.result.globals : this.#group.entries).push(entry);
  }

  #readOrWarn(path: string, warnText: string): Buffer | undefined {
    try {
      return this.io.readFile(path);
    } catch {
      this.io.warn(warnText);
      return undefined;
    }
  }

  /** Option-specific work curl does while parsing (file reads, actions, groups). */
  #apply(opt: CliOption, given: string, toggle: boolean, arg: string | undefined, peek?: string): void {
    const name = opt.long;
    switch (name) {
      case 'help':
        if (toggle) this.result.action = nextIsCategory(peek) ? { kind: 'help', category: peek! } : { kind: 'help' };
        return;
      case 'version':
        if (toggle) this.result.action = { kind: 'version' };
        return;
      case 'manual':
        if (toggle) this.result.action = { kind: 'manual' };
        return;
      case 'engine':
        // curl's PARAM_ENGINES_REQUESTED: list CURLINFO_SSL_ENGINES and stop; any other name is CURLOPT_SSLENGINE
        if (arg === 'list') {
          this.result.action = { kind: 'engines' };
          return;
        }
        break;
      case 'next':
        // curl's --next opens a new group only once this one has a URL (config->url_list->url):
        // options before any URL still apply to the URL that follows
        if (this.#group.entries.some((e) => e.opt.long === 'url')) {
          this.#group = { entries: [] };
          this.result.groups.push(this.#group);
        }
        return;
      case 'config':
        this.readConfig(arg!, given);
        return;
      case 'variable':
        this.result.variables.set(arg!);
        return;
      case 'disable':
        return; // only meaningful as the very first argument
    }
    if (arg === undefined) {
      this.#add(opt, given, toggle);
      return;
    }
    switch (name) {
      case 'data':
      case 'data-ascii':
      case 'data-binary':
      case 'json': {
        if (!arg.startsWith('@')) break;
        const file = arg.slice(1);
        let bytes = this.#readOrWarn(file, `Couldn't read data from file "${file}", this makes an empty POST.\n`) ?? Buffer.alloc(0);
        // -d @file strips CR and LF (curl's ASCII mode); --data-binary and --json keep them
        if (name === 'data' || name === 'data-ascii') bytes = Buffer.from(bytes.filter((c) => c !== 13 && c !== 10));
        this.#add(opt, given, arg, bytes);
        return;
      }
      case 'data-urlencode':
        this.#add(opt, given, arg, this.#dataUrlencode(arg));
        return;
      case 'url-query':
        // "+" sends the rest as it is; anything else is encoded as --data-urlencode does
        this.#add(opt, given, arg, arg.startsWith('+') ? textToBuffer(arg.slice(1)) : this.#dataUrlencode(arg));
        return;
      case 'header':
      case 'proxy-header':
        if (arg.startsWith('@')) {
          const bytes = this.#readOrWarn(arg.slice(1), `Failed to open ${arg.slice(1)}!\n`);
          if (!bytes) return;
          for (const line of bufferToText(bytes).split(/\r?\n/)) if (line !== '') this.#add(opt, given, line);
          return;
        }
        break;
      case 'httpsig-key':
        // "@file": the key is the file's first line; curl reads it while parsing and a file it
        // cannot read is PARAM_READ_ERROR, exit 26 (its test 5010)
        if (arg.startsWith('@')) {
          let bytes: Buffer;
          try {
            bytes = this.io.readFile(arg.slice(1));
          } catch {
            throw ParamError.option(given, 'READ_ERROR', 26);
          }
          this.#add(opt, given, (bufferToText(bytes).split(/\r?\n/)[0] ?? '').trim());
          return;
        }
        break;
      case 'write-out':
        if (arg.startsWith('@')) {
          // curl 7.88's file2string(): nothing read (no file, or an empty one) warns, without a newline
          const file = arg.slice(1);
          let text = '';
          try {
            text = formatFromFile(this.io.readFile(file));
          } catch {
            /* warned below, as for an empty file */
          }
          if (text === '') this.io.warn(`Failed to read ${file === '-' ? '<stdin>' : file}`);
          this.#add(opt, given, text);
          return;
        }
        break;
    }
    this.#add(opt, given, arg, name.startsWith('data') || name === 'json' ? Buffer.from(arg) : undefined);
  }

  /** --data-urlencode: content, =content, name=content, @file, name@file; spaces become '+' as in curl. */
  #dataUrlencode(arg: string): Buffer {
    const urlEscape = (b: Buffer): string => escapeBytes(b).replace(/%20/g, '+');
    const eq = arg.indexOf('=');
    const at = arg.indexOf('@');
    if (at >= 0 && (eq < 0 || at < eq)) {
      const name = arg.slice(0, at);
      const file = arg.slice(at + 1);
      const content = this.#readOrWarn(file, `Couldn't read data from file "${file}", this makes an empty POST.`) ?? Buffer.alloc(0);
      return Buffer.from((name ? name + '=' : '') + urlEscape(content));
    }
    if (eq >= 0) {
      const name = arg.slice(0, eq);
      return Buffer.from((name ? name + '=' : '') + urlEscape(Buffer.from(arg.slice(eq + 1))));
    }
    return Buffer.from(urlEscape(Buffer.from(arg)));
  }

  /** -K/--config and .curlrc: errors in lines are warnings, as in curl. */
  readConfig(file: string, given: string): void {
    let text: string;
    try {
      // the file's bytes, not UTF-8 decoded (which made \x80\xff U+FFFD): sent as curl sends them
      text = decodeConfigBytes(this.io.readFile(file));
    } catch {
      // curl says which file, unless -s came before (a warnf-like line, but with the "curl: " prefix)
      const silent = [...this.result.globals, ...this.result.groups.flatMap((g) => g.entries)].findLast((e) => e.opt.long === 'silent')?.value === true;
      throw ParamError.option(given, 'READ_ERROR', 26, silent ? [] : [`cannot read config from '${file}'`]);
    }
    if (++this.#configDepth > MAX_CONFIG_DEPTH) throw ParamError.option(given, 'BAD_USE');
    const shown = file === '-' ? '<stdin>' : file;
    try {
      for (const line of parseConfigText(text, shown, (m) => this.io.warn(m))) {
        if (this.result.action) return;
        try {
          const used = this.getParameter(line.option, line.param);
          if (line.param !== undefined && line.param !== '' && !used) {
            this.io.warn(`${shown}:${line.lineno}: warning: '${line.option}' ${PARAM_TEXT.GOT_EXTRA_PARAMETER}\n`);
          }
        } catch (e) {
          if (!(e instanceof ParamError) || !e.reason || e.reason === 'READ_ERROR') throw e;
          this.io.warn(`${shown}:${line.lineno}: warning: '${line.option}' ${PARAM_TEXT[e.reason]}\n`);
        }
      }
    } finally {
      this.#configDepth--;
    }
  }
}

/** curl's --help takes the next word as a category unless it looks like an option. */
function nextIsCategory(arg: string | undefined): boolean {
  return arg !== undefined && !arg.startsWith('-');
}

/**
 * Parses the tool's arguments (process.argv.slice(2)). Reads the default
 * .curlrc first unless the first argument is -q/--disable.
 */
export function parseArgs(argv: readonly string[], io: Partial<ParseIo> = {}): ParsedArgs {
  const fullIo: ParseIo = { ...defaultIo, ...io };
  const parser = new Parser(fullIo);
  const first = argv[0];
  // curl checks only argv[1]: a short bundle starting with q, or --disable
  const skipRc = first !== undefined && ((first.startsWith('-q') && !first.startsWith('--')) || first === '--disable');
  if (!skipRc) {
    const rc = findDefaultCurlrc(fullIo.env, fullIo.exists, fullIo.passwdHome);
    if (rc) {
      try {
        parser.readConfig(rc, '--config');
      } catch (e) {
        if (!(e instanceof ParamError) || e.exitCode !== 26) throw e;
      }
    }
  }
  parser.parseArgv(argv);
  return parser.result;
}

/** Entries of one group with the globals applied first, in command-line order. */
export function groupEntries(parsed: ParsedArgs, group: OpGroup): OptEntry[] {
  return [...parsed.globals, ...group.entries];
}

/**
 * curl 7.88's file2string() for `-w @file`: the file is read with fgets() into a
 * 256-byte buffer, and each piece is cut at its first CR, then at its first LF,
 * so line ends vanish (and so does the rest of a line after a lone CR).
 */
export function formatFromFile(bytes: Buffer): string {
  const pieces: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lf = bytes.indexOf(10, at);
    const end = Math.min(lf < 0 ? bytes.length : lf + 1, at + 255);
    let piece = bytes.subarray(at, end);
    const cr = piece.indexOf(13);
    if (cr >= 0) piece = piece.subarray(0, cr);
    const nl = piece.indexOf(10);
    if (nl >= 0) piece = piece.subarray(0, nl);
    pieces.push(piece);
    at = end;
  }
  return Buffer.concat(pieces).toString();
}
