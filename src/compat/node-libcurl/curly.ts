// node-libcurl's curly: a Promise of { statusCode, data, headers } per
// request, one function per HTTP method (curly.get, curly.post, ...), options
// by libcurl name or camelCase alias plus curly's own curly* options, body
// parsers chosen by the response's Content-Type (JSON, text/*, a Buffer for
// the rest), optional streaming of the response and of the upload.
//
// A wrong option name or value type throws synchronously from the call, as
// node-libcurl's curly does (the handle is closed first). A body parser
// that fails rejects with its error, the parser's own error as `cause` and
// the response as `response` ({ statusCode, data: the raw Buffer, headers }).
import type { Readable } from 'node:stream';
import { Curl, defaultMulti } from './curl.js';
import { CurlError, CurlEasyError } from './errors.js';
import { CurlFeature } from './enums.js';
import { curlyOptionName } from './options.js';
import { isPlainCall, plainTransfer } from './curly-plain.js';
import type { HeaderInfo } from './headers.js';
import type { CurlyMimePart } from './mime-post.js';

export interface CurlyResult<ResultData = any> {
  data: ResultData;
  headers: HeaderInfo[];
  statusCode: number;
}

export type CurlyResponseBodyParser = (data: Buffer, header: HeaderInfo[]) => any;
export type CurlyResponseBodyParsersProperty = { [contentType: string]: CurlyResponseBodyParser };

export interface CurlyOptions {
  curlyProgressCallback?: (dltotal: number, dlnow: number, ultotal: number, ulnow: number) => number;
  curlyResponseBodyParser?: CurlyResponseBodyParser | false;
  curlyResponseBodyParsers?: CurlyResponseBodyParsersProperty;
  curlyBaseUrl?: string;
  curlyLowerCaseHeaders?: boolean;
  curlyStreamResponse?: boolean;
  curlyStreamResponseHighWaterMark?: number;
  curlyStreamUpload?: Readable | null;
  curlyMimePost?: CurlyMimePart[];
  /** any libcurl option, by name ('FOLLOWLOCATION') or camelCase alias ('followLocation') */
  [option: string]: unknown;
}

export type CurlyHttpMethodCall = <ResultData = any>(url: string, options?: CurlyOptions) => Promise<CurlyResult<ResultData>>;

const METHODS = [
  'acl', 'bind', 'checkout', 'connect', 'copy', 'delete', 'get', 'head', 'link', 'lock', 'm-search', 'merge',
  'mkactivity', 'mkcalendar', 'mkcol', 'move', 'notify', 'options', 'patch', 'post', 'propfind', 'proppatch',
  'purge', 'put', 'rebind', 'report', 'search', 'source', 'subscribe', 'trace', 'unbind', 'unlink', 'unlock',
  'unsubscribe',
] as const;

export interface CurlyFunction extends Record<(typeof METHODS)[number], CurlyHttpMethodCall> {
  <ResultData = any>(url: string, options?: CurlyOptions): Promise<CurlyResult<ResultData>>;
  create: (defaultOptions?: CurlyOptions) => CurlyFunction;
  defaultResponseBodyParsers: CurlyResponseBodyParsersProperty;
  setObjectPoolLimit: (limit: number) => void;
}

const JSON_PARSE_FAILED = `curly failed to parse "application/json" content as JSON. This is generally caused by receiving malformed JSON data from the server.
You can disable this automatic behavior by setting the option curlyResponseBodyParser to false, then a Buffer will be returned as the data.
You can also overwrite the "application/json" parser with your own by changing one of the following:
  - curly.defaultResponseBodyParsers['application/json']
  or
  - options.curlyResponseBodyParsers = { 'application/json': parser }

If you want just a single function to handle all content-types, you can use the option "curlyResponseBodyParser".
`;

/** Does `pattern` ('application/json', 'text/*', '*') cover `contentType`? */
function typeMatches(pattern: string, contentType: string): boolean {
  if (pattern === '*' || pattern === contentType) return true;
  if (!pattern.includes('*')) return false; // without a wildcard only the same string matches
  // part by part between the slashes, '*' matching any one part (as splitting both at '/' would)
  let p = 0;
  let c = 0;
  for (;;) {
    let pe = pattern.indexOf('/', p);
    let ce = contentType.indexOf('/', c);
    if ((pe < 0) !== (ce < 0)) return false; // not as many parts
    if (pe < 0) {
      pe = pattern.length;
      ce = contentType.length;
    }
    const star = pe - p === 1 && pattern.charCodeAt(p) === STAR;
    if (!star && (pe - p !== ce - c || !pattern.startsWith(contentType.slice(c, ce), p))) return false;
    if (pe === pattern.length) return true;
    p = pe + 1;
    c = ce + 1;
  }
}

const STAR = 42;

/**
 * The parser for `contentType` among the defaults with the call's own on top:
 * an exact entry first, then the patterns in order, '*' last.
 */
function pickParser(
  defaults: CurlyResponseBodyParsersProperty,
  overrides: CurlyResponseBodyParsersProperty | undefined,
  contentType: string,
): CurlyResponseBodyParser | undefined {
  const parsers = overrides ? { ...defaults, ...overrides } : defaults;
  // one pass over the own keys in Object.keys() order (for-in: without making their array each call),
  // every entry checked even when an earlier one is taken
  let exact: CurlyResponseBodyParser | undefined;
  let matched: CurlyResponseBodyParser | undefined;
  let star: CurlyResponseBodyParser | undefined;
  for (const pattern in parsers) {
    if (!Object.hasOwn(parsers, pattern)) continue;
    const parser = parsers[pattern];
    if (typeof parser !== 'function') throw new TypeError(`Response body parser for ${pattern} must be a function`);
    if (pattern === contentType) exact = parser;
    else if (pattern === '*') star = parser;
    else if (matched === undefined && typeMatches(pattern, contentType)) matched = parser;
  }
  return exact ?? matched ?? star;
}

function lowerCaseHeaders(headers: HeaderInfo[]): void {
  for (const block of headers as unknown as Record<string, unknown>[]) {
    for (const [key, value] of Object.entries(block)) {
      delete block[key];
      block[key.toLowerCase()] = value;
    }
  }
}

function contentTypeOf(headers: HeaderInfo[]): string {
  if (headers.length === 0) return '';
  const last = headers[headers.length - 1]! as Record<string, unknown>;
  for (const key in last) {
    // the length first: most names are not 12 characters long, and lower-casing each one costs a string
    if (key.length !== 12 || key.toLowerCase() !== 'content-type') continue;
    const value = last[key];
    if (typeof value !== 'string') return '';
    const semi = value.indexOf(';');
    return (semi < 0 ? value : value.slice(0, semi)).trim();
  }
  return '';
}

/**
 * What curly resolves with once the transfer ended: the body through its
 * parser, header names as asked. Throws what the promise rejects with (a
 * plain value, not a promise: returned from a then() callback it settles
 * curly's promise without the extra turns a returned promise costs).
 */
function settle(statusCode: number, data: Buffer, headers: HeaderInfo[], o: CurlyOptions, curly: CurlyFunction): CurlyResult {
  let parser: CurlyResponseBodyParser | false | undefined = o.curlyResponseBodyParser;
  if (parser === undefined) parser = pickParser(curly.defaultResponseBodyParsers, o.curlyResponseBodyParsers, contentTypeOf(headers));
  if (parser && typeof parser !== 'function') {
    throw new TypeError('`curlyResponseBodyParser` passed to curly must be false or a function.');
  }
  if (o.curlyLowerCaseHeaders) lowerCaseHeaders(headers);
  try {
    return { statusCode, data: parser ? parser(data, headers) : data, headers };
  } catch (err) {
    if (err && typeof err === 'object') Object.assign(err, { response: { statusCode, data, headers } });
    throw err;
  }
}

const NO_OPTIONS: CurlyOptions = Object.freeze({});

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

function create(defaultOptions: CurlyOptions = {}): CurlyFunction {
  let poolLimit = 0;
  const pool: Curl[] = [];
  const take = (): Curl => pool.pop() ?? new Curl();
  const giveBack = (curl: Curl): void => {
    if (pool.length < poolLimit && curl.isOpen && !curl.isRunning) {
      // reset() keeps the CurlFeature flags: a pooled handle must not stream the next response by accident
      curl.reset().disable(~0);
      pool.push(curl);
    } else {
      curl.close();
    }
  };

  const curly = function curly(url: string, options?: CurlyOptions): Promise<CurlyResult> {
    // the merged options (a call with none, on a curly with no defaults, shares one empty object)
    const o: CurlyOptions = (options === undefined || isEmpty(options)) && isEmpty(defaultOptions) ? NO_OPTIONS : { ...defaultOptions, ...options };
    if (isPlainCall(o)) {
      const base = o.curlyBaseUrl;
      return plainTransfer(defaultMulti(), base === undefined ? `${url}` : `${base}${url}`, Curl.defaultUserAgent, settle, o, curly as CurlyFunction);
    }
    const curl = take();
    try {
      configure(curl, url, o);
    } catch (err) {
      curl.close();
      throw err;
    }
    return new Promise<CurlyResult>((resolve, reject) => {
      let stream: Readable | null = null;
      if (o.curlyStreamResponse) {
        curl.on('stream', (s: Readable, statusCode: number, headers: HeaderInfo[]) => {
          if (o.curlyLowerCaseHeaders) lowerCaseHeaders(headers);
          stream = s;
          resolve({ data: s, statusCode, headers });
        });
      }
      curl.on('end', (statusCode: number, data: Buffer, headers: HeaderInfo[]) => {
        giveBack(curl);
        if (o.curlyStreamResponse) return;
        try {
          resolve(settle(statusCode, data, headers, o, curly as CurlyFunction));
        } catch (err) {
          reject(err);
        }
      });
      curl.on('error', (error: Error, errorCode: number) => {
        giveBack(curl);
        const e = error instanceof CurlError ? error : new CurlEasyError(error.message, errorCode, { cause: error });
        // the promise already resolved with the stream: the error goes to the stream. A consumer that destroyed
        // it gets the 'error' event only if it still listens (node-libcurl emits it regardless, which throws
        // when nobody listens any more)
        const s = stream as Readable | null;
        if (s) {
          if (!s.destroyed) s.destroy(e);
          else if (s.listenerCount('error') > 0) s.emit('error', e);
        } else {
          reject(e);
        }
      });
      curl.perform();
    });
  } as CurlyFunction;

  curly.create = create;
  curly.setObjectPoolLimit = (limit: number): void => {
    poolLimit = Math.max(0, limit);
    while (pool.length > poolLimit) pool.pop()!.close();
  };
  curly.defaultResponseBodyParsers = {
    'application/json': (data) => {
      try {
        return JSON.parse(data.toString('utf8'));
      } catch (err) {
        throw new Error(JSON_PARSE_FAILED, { cause: err });
      }
    },
    'text/*': (data) => data.toString('utf8'),
    '*': (data) => data,
  };
  for (const method of METHODS) {
    const extra: CurlyOptions = method === 'get' ? {} : method === 'post' ? { post: true }
      : method === 'head' ? { nobody: true } : { customRequest: method.toUpperCase() };
    (curly as unknown as Record<string, CurlyHttpMethodCall>)[method] = method === 'get'
      ? curly
      : (url: string, options: CurlyOptions = {}) => curly(url, { ...extra, ...options });
  }
  return curly;
}

/** Everything a curly call sets on its Curl before perform(). */
function configure(curl: Curl, url: string, o: CurlyOptions): void {
  curl.enable(CurlFeature.NoDataParsing);
  curl.setOpt('URL', `${o.curlyBaseUrl ?? ''}${url}`);
  for (const key of Object.keys(o)) {
    const name = curlyOptionName(key);
    if (name.startsWith('curly')) continue;
    curl.setOpt(name, o[key]);
  }
  const streaming = Boolean(o.curlyStreamResponse || o.curlyStreamUpload);
  if (o.curlyProgressCallback) {
    if (typeof o.curlyProgressCallback !== 'function') {
      throw new TypeError('curlyProgressCallback must be a function with signature (number, number, number, number) => number');
    }
    if (streaming) curl.setStreamProgressCallback(o.curlyProgressCallback);
    else curl.setProgressCallback(o.curlyProgressCallback);
  }
  if (o.curlyStreamResponse) {
    curl.enable(CurlFeature.StreamResponse);
    if (o.curlyStreamResponseHighWaterMark) curl.setStreamResponseHighWaterMark(o.curlyStreamResponseHighWaterMark);
  }
  if (o.curlyStreamUpload) curl.setUploadStream(o.curlyStreamUpload);
  if (o.curlyMimePost && o.curlyMimePost.length > 0) curl.setMimePost(o.curlyMimePost);
}

export const curly: CurlyFunction = create();
