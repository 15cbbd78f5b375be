// request()'s options and how they become easy options. Everything libcurl
// can do is reachable through `options`, typed by curl's option names; the
// few convenience fields (method, headers, body) map onto the same options
// curl's tool would set for the same request.
import type { CURLcode } from '../codes.js';
import { CURLE } from '../codes.js';
import type { Easy } from '../easy/easy.js';
import { CURLOPT } from '../easy/option-table.js';
import type { OptionId, OptionValue } from '../easy/option-types.js';
import type { MultiRunner } from './multi-runner.js';
import type { RequestBody } from './upload-source.js';

type OptionName = keyof typeof CURLOPT;
/** Easy options by curl's names (without CURLOPT_), typed as setopt() types them. */
export type CurlOptions = {
  [N in OptionName]?: (typeof CURLOPT)[N] extends OptionId ? OptionValue<(typeof CURLOPT)[N]> : unknown;
};

/** Options the request layer sets itself: giving them would break the response object. */
const RESERVED: readonly OptionName[] = [
  'WRITEFUNCTION', 'WRITEDATA', 'HEADERFUNCTION', 'HEADERDATA', 'READFUNCTION', 'READDATA', 'XFERINFOFUNCTION',
  'XFERINFODATA', 'URL', 'SUPPRESS_CONNECT_HEADERS',
];

/**
 * Request headers. A value of `null` removes a header curl would add by
 * itself (curl's "Name:" form: `{ 'Content-Type': null }`, `{ Expect: null }`);
 * an empty string sends the header with no value; undefined is skipped.
 */
export type HeaderInput =
  | Record<string, string | number | readonly string[] | undefined | null>
  | Iterable<readonly [string, string | null]>;

export interface RetryOptions {
  /** attempts after the first (curl --retry) */
  retries: number;
  /** fixed delay between attempts in ms (--retry-delay; default: 1 s doubling up to 10 min) */
  delayMs?: number;
  /** give up retrying this long after the first attempt began (--retry-max-time), ms */
  maxTimeMs?: number;
  /** retry on any error (--retry-all-errors) */
  allErrors?: boolean;
  /** treat ECONNREFUSED as transient (--retry-connrefused) */
  connRefused?: boolean;
}

export interface Progress {
  downloadTotal: number;
  downloaded: number;
  uploadTotal: number;
  uploaded: number;
}

export interface RequestOptions {
  /** GET by default; HEAD sets NOBODY; others go out as CUSTOMREQUEST (POST/PUT with a body as curl does) */
  method?: string;
  headers?: HeaderInput;
  body?: RequestBody | null;
  /** aborts the transfer; request() (or the body stream) rejects with signal.reason */
  signal?: AbortSignal;
  /** any easy option by name: { FOLLOWLOCATION: 1, USERPWD: 'u:p', ... } */
  options?: CurlOptions;
  /** a number is `{ retries: n }`; curl's rules decide what is transient and how long to wait */
  retry?: number | RetryOptions;
  onProgress?: (p: Progress) => void;
  /** run on this runner's multi instead of the process-wide one */
  runner?: MultiRunner;
}

/** The header list for HTTPHEADER ("Name: value"; an empty value is sent as "Name;", as curl's tool does). */
export function headerLines(headers: HeaderInput | undefined): string[] {
  if (!headers) return [];
  const out: string[] = [];
  const add = (name: string, value: string | null): void => {
    if (/[\r\n:;]/.test(name) || !name || (value !== null && /[\r\n]/.test(value))) {
      throw new TypeError(`invalid header ${JSON.stringify(name)}: names must be non-empty without ':' ';' CR LF, values without CR LF`);
    }
    out.push(value === null ? `${name}:` : value === '' ? `${name};` : `${name}: ${value}`);
  };
  if (Symbol.iterator in headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of headers as Iterable<readonly [string, string | null]>) add(name, value === null ? null : String(value));
    return out;
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (value === null) add(name, null);
    else if (Array.isArray(value)) for (const v of value) add(name, String(v));
    else add(name, String(value));
  }
  return out;
}

/** Set the user's options by name; the first failing one is returned with its name. */
export function applyCurlOptions(easy: Easy, options: CurlOptions | undefined): { code: CURLcode; name: string } | null {
  if (!options) return null;
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if ((RESERVED as readonly string[]).includes(name)) {
      return { code: CURLE.BAD_FUNCTION_ARGUMENT, name: `${name} (set by request() itself)` };
    }
    const rc = easy.setopt(name, value);
    if (rc !== CURLE.OK) return { code: rc, name };
  }
  return null;
}

/** method + body → the options curl's tool would set (-X, -d, -T, -I). */
export function applyMethod(easy: Easy, method: string, bodySize: number | null, hasBody: boolean): void {
  const m = method.toUpperCase();
  if (m === 'HEAD') {
    easy.setopt(CURLOPT.NOBODY, 1);
    return;
  }
  if (hasBody) {
    if (m === 'PUT') {
      easy.setopt(CURLOPT.UPLOAD, 1);
      if (bodySize !== null) easy.setopt(CURLOPT.INFILESIZE_LARGE, bodySize);
    } else {
      easy.setopt(CURLOPT.POST, 1);
      easy.setopt(CURLOPT.POSTFIELDSIZE_LARGE, bodySize ?? -1);
      if (m !== 'POST') easy.setopt(CURLOPT.CUSTOMREQUEST, m);
    }
    return;
  }
  if (m !== 'GET') easy.setopt(CURLOPT.CUSTOMREQUEST, m);
}
