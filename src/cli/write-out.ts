// -w/--write-out rendering (curl's tool_writeout.c). Values come from a
// WriteOutSource so the renderer is pure and testable without a transfer;
// operate.ts backs the source with easy.getinfo().
//
// Output rules copied from curl: %% is '%', \n \r \t are escapes (other
// backslash pairs print as-is), %{name} is case-insensitive and an unknown
// name warns on stderr and prints nothing, an unterminated %{ prints "%{",
// any other %X prints both characters.
import { openSync, writeSync, closeSync } from 'node:fs';
import { jsonEscape } from './variables.js';
import { strftimeUtc } from './strftime.js';

/** How a variable prints: times are microseconds shown as seconds.micro. */
type Kind = 'str' | 'num' | 'code' | 'time' | 'url' | 'special';

/**
 * The variables, sorted (the JSON object lists them in this order). `json`
 * false keeps one out of %{json}, as in curl's table.
 */
const VARS: readonly (readonly [name: string, kind: Kind, json?: false])[] = [
  ['certs', 'str'], ['conn_id', 'num'], ['content_type', 'str'], ['errormsg', 'str'], ['exitcode', 'num'],
  ['filename_effective', 'str'], ['ftp_entry_path', 'str'], ['header_json', 'special', false], ['http_code', 'code'],
  ['http_connect', 'code'], ['http_version', 'str'], ['json', 'special', false], ['local_ip', 'str'],
  ['local_port', 'num'], ['method', 'str'], ['num_certs', 'num'], ['num_connects', 'num'], ['num_headers', 'num'],
  ['num_redirects', 'num'], ['num_retries', 'num'], ['onerror', 'special', false], ['proxy_ssl_verify_result', 'num'],
  ['proxy_used', 'num'], ['redirect_url', 'str'], ['referer', 'str'], ['remote_ip', 'str'], ['remote_port', 'num'],
  ['response_code', 'code'], ['scheme', 'str'], ['size_delivered', 'num'], ['size_download', 'num'], ['size_header', 'num'],
  ['size_request', 'num'], ['size_upload', 'num'], ['speed_download', 'num'], ['speed_upload', 'num'],
  ['ssl_verify_result', 'num'], ['stderr', 'special', false], ['stdout', 'special', false],
  ['time_appconnect', 'time'], ['time_connect', 'time'], ['time_namelookup', 'time'], ['time_posttransfer', 'time'],
  ['time_pretransfer', 'time'], ['time_queue', 'time'], ['time_redirect', 'time'], ['time_starttransfer', 'time'],
  ['time_total', 'time'], ['tls_earlydata', 'num'], ['url', 'str'],
  ...(['scheme', 'user', 'password', 'options', 'host', 'port', 'path', 'query', 'fragment', 'zoneid'] as const).flatMap(
    (p) => [[`url.${p}`, 'url', false], [`urle.${p}`, 'url', false]] as const,
  ),
  ['url_effective', 'str'], ['urlnum', 'num'], ['xfer_id', 'num'],
];
const BY_NAME = new Map(VARS.map((v) => [v[0], v]));

/** Names %{json} includes, in order (curl_version is appended last). */
export const JSON_VARIABLES: readonly string[] = VARS.filter((v) => v[2] !== false).map((v) => v[0]);

export interface WriteOutSource {
  /**
   * Raw value: strings, numbers (times in microseconds), or null/undefined
   * when the transfer has none (prints nothing; JSON null). Also asked for
   * 'curl_version'.
   */
  get(name: string): string | number | null | undefined;
  /** Header fields of the most recent response, in arrival order. */
  headers(): readonly (readonly [name: string, value: string])[];
  /** Header fields of every response of the redirect chain, in arrival order (default: headers()). */
  chainHeaders?(): readonly (readonly [name: string, value: string])[];
  /** The transfer's CURLcode, for %{onerror}. */
  readonly exitCode: number;
  /** Wall clock in microseconds since the epoch, for %time{} (default: now). */
  nowUs?(): number;
}

export interface WriteOutSinks {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Opens a file for %output{}: truncating, or appending with >>. */
  openFile(path: string, append: boolean): { write(s: string): void; close(): void };
  /** Where "unknown --write-out variable" warnings go (curl: stderr). */
  warn(s: string): void;
}

export const defaultSinks: WriteOutSinks = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  openFile(path, append) {
    const fd = openSync(path, append ? 'a' : 'w');
    return { write: (s) => void writeSync(fd, s), close: () => closeSync(fd) };
  },
  warn: (s) => process.stderr.write(s),
};

const seconds = (us: number): string => `${Math.floor(us / 1e6)}.${String(Math.floor(us % 1e6)).padStart(6, '0')}`;

function urlPart(raw: string | null | undefined, part: string): string {
  if (!raw) return '';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return '';
  }
  switch (part) {
    case 'scheme': return u.protocol.slice(0, -1);
    case 'user': return decodeURIComponent(u.username);
    case 'password': return decodeURIComponent(u.password);
    case 'host': return u.hostname.replace(/^\[|\]$/g, '').replace(/%25.*$/, '');
    case 'port': return u.port || ({ 'http:': '80', 'https:': '443', 'ftp:': '21' } as Record<string, string>)[u.protocol] || '';
    case 'path': return u.pathname;
    case 'query': return u.search.slice(1);
    case 'fragment': return u.hash.slice(1);
    case 'zoneid': return /%25([^\]]+)/.exec(u.hostname)?.[1] ?? '';
    default: return ''; // options: only IMAP/POP3/SMTP carry them
  }
}

/** One variable's plain-text rendering; undefined means "print nothing". */
function plain(name: string, kind: Kind, src: WriteOutSource): string | undefined {
  if (kind === 'url') {
    const [base, part] = name.split('.') as [string, string];
    return urlPart(src.get(base === 'url' ? 'url' : 'url_effective') as string | undefined, part);
  }
  const v = src.get(name);
  if (v === null || v === undefined) return undefined;
  if (kind === 'time') return seconds(Number(v));
  if (kind === 'code') return String(v).padStart(3, '0');
  return String(v);
}

function jsonValue(name: string, kind: Kind, src: WriteOutSource): string {
  const v = src.get(name);
  if (v === null || v === undefined) return 'null';
  if (kind === 'time') return seconds(Number(v));
  if (typeof v === 'number') return String(v);
  return `"${jsonEscape(v)}"`;
}

/** %{json}: every variable in table order, then curl_version. */
export function renderJson(src: WriteOutSource): string {
  const parts = VARS.filter((v) => v[2] !== false).map(([name, kind]) => `"${name}":${jsonValue(name, kind, src)}`);
  parts.push(`"curl_version":${jsonValue('curl_version', 'str', src)}`);
  return `{${parts.join(',')}}`;
}

/** %{header_json}: lowercased names, each with an array of its values. */
export function renderHeaderJson(src: WriteOutSource): string {
  const groups = new Map<string, string[]>();
  for (const [n, v] of src.headers()) {
    const key = n.toLowerCase();
    const list = groups.get(key);
    if (list) list.push(v);
    else groups.set(key, [v]);
  }
  const items = [...groups].map(([n, vs]) => `"${jsonEscape(n)}":[${vs.map((v) => `"${jsonEscape(v)}"`).join(',')}]`);
  return `{${items.join(',\n')}\n}`;
}

/**
 * Where a %header{...} argument ends: its first '}', except that the separator of the
 * name:all:sep form may hold an escaped one (\}). -1: no end.
 */
function headerArgEnd(format: string, start: number): number {
  const first = format.indexOf('}', start);
  if (!/^[^:]*:all:/.test(format.slice(start, first < 0 ? undefined : first))) return first;
  for (let j = start; j < format.length; j++) {
    if (format[j] === '\\' && format[j + 1] === '}') j++;
    else if (format[j] === '}') return j;
  }
  return -1;
}

/**
 * %header{name}: the first field of the name in the most recent response, as curl 7.88 shows it
 * (curl_easy_header()'s index 0: a second "Name:" line is not shown).
 * %header{name:all:sep} (curl 8.17): every field of the name over the redirect chain, in arrival
 * order, `sep` (with \} for a brace) between them.
 */
function headerValue(arg: string, src: WriteOutSource): string {
  const all = /^([^:]*):all(?::([\s\S]*))?$/.exec(arg);
  if (!all) {
    const want = arg.toLowerCase();
    return src.headers().find(([h]) => h.toLowerCase() === want)?.[1] ?? '';
  }
  const want = all[1]!.toLowerCase();
  const sep = (all[2] ?? '').replace(/\\\}/g, '}');
  const fields = src.chainHeaders ? src.chainHeaders() : src.headers();
  return fields.filter(([h]) => h.toLowerCase() === want).map(([, val]) => val).join(sep);
}

/** Renders a -w format for one finished transfer. */
export function renderWriteOut(format: string, src: WriteOutSource, sinks: WriteOutSinks = defaultSinks): void {
  let out: (s: string) => void = sinks.stdout;
  let file: { write(s: string): void; close(): void } | undefined;
  let buf = '';
  const flush = (): void => {
    if (buf) out(buf);
    buf = '';
  };
  const switchTo = (w: (s: string) => void): void => {
    flush();
    out = w;
  };
  try {
    let i = 0;
    while (i < format.length) {
      const c = format[i]!;
      const n = format[i + 1];
      if (c === '%' && n !== undefined) {
        if (n === '%') {
          buf += '%';
          i += 2;
          continue;
        }
        if (n === '{') {
          const end = format.indexOf('}', i);
          i += 2;
          if (end < 0) {
            buf += '%{';
            continue;
          }
          const raw = format.slice(i, end);
          const name = raw.toLowerCase();
          i = end + 1;
          const v = BY_NAME.get(name);
          if (!v) {
            flush();
            sinks.warn(`tscurl: unknown --write-out variable: '${raw}'\n`);
            continue;
          }
          if (name === 'onerror') {
            if (src.exitCode === 0) break;
          } else if (name === 'stdout') switchTo(sinks.stdout);
          else if (name === 'stderr') switchTo(sinks.stderr);
          else if (name === 'json') buf += renderJson(src);
          else if (name === 'header_json') buf += renderHeaderJson(src);
          else buf += plain(name, v[1], src) ?? '';
          continue;
        }
        const special = /^(header|output|time)\{/.exec(format.slice(i + 1));
        if (special) {
          const start = i + 1 + special[0].length;
          const end = special[1] === 'header' ? headerArgEnd(format, start) : format.indexOf('}', start);
          if (end < 0) {
            buf += `%${special[0]}`;
            i = start;
            continue;
          }
          const arg = format.slice(start, end);
          i = end + 1;
          if (special[1] === 'header') buf += headerValue(arg, src);
          else if (special[1] === 'time') {
            const us = src.nowUs ? src.nowUs() : Date.now() * 1000;
            buf += strftimeUtc(arg, us);
          } else {
            flush();
            file?.close();
            const append = arg.startsWith('>>');
            const f = sinks.openFile(append ? arg.slice(2) : arg, append);
            file = f;
            out = (s) => f.write(s);
          }
          continue;
        }
        buf += c + n;
        i += 2;
        continue;
      }
      if (c === '\\' && n !== undefined) {
        buf += n === 'r' ? '\r' : n === 'n' ? '\n' : n === 't' ? '\t' : c + n;
        i += 2;
        continue;
      }
      buf += c;
      i++;
    }
    flush();
  } finally {
    file?.close();
  }
}

/** %{certs}: every "name:value" line of every certificate, each ending in a newline (curl's writeout.c). */
export function certsText(ci: { certinfo: string[][] }): string {
  let out = '';
  for (const cert of ci.certinfo) for (const line of cert) out += line.endsWith('\n') ? line : `${line}\n`;
  return out;
}
