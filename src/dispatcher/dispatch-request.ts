// undici's DispatchOptions → the URL and header list of a libcurl transfer.
import type { Dispatcher } from 'undici';

type DispatchOptions = Parameters<Dispatcher['dispatch']>[0];

/** origin + path (+ query), as undici's request builder joins them. */
export function requestUrl(opts: DispatchOptions): string {
  if (!opts.origin) throw Object.assign(new TypeError('CurlDispatcher needs an origin'), { code: 'UND_ERR_INVALID_ARG' });
  const origin = String(opts.origin).replace(/\/+$/, '');
  let path = opts.path ?? '/';
  if (!path.startsWith('/')) path = `/${path}`;
  if (opts.query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) {
      if (Array.isArray(v)) for (const x of v) qs.append(k, String(x));
      else if (v !== undefined && v !== null) qs.append(k, String(v));
    }
    const q = qs.toString();
    if (q) path += (path.includes('?') ? '&' : '?') + q;
  }
  return origin + path;
}

/**
 * Headers in any of undici's shapes (object, flat array, iterable of pairs)
 * as name/value pairs. With a body, Content-Length is taken out: libcurl
 * writes it from the body's size (the caller passes it on as that size).
 */
export function requestHeaders(
  headers: DispatchOptions['headers'],
  hasBody: boolean,
): { pairs: [string, string][]; contentLength: number | null } {
  const pairs: [string, string][] = [];
  let contentLength: number | null = null;
  const add = (name: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) add(name, v);
      return;
    }
    const v = String(value);
    if (hasBody && name.toLowerCase() === 'content-length') {
      if (/^\d+$/.test(v)) contentLength = Number(v);
      return;
    }
    pairs.push([name, v]);
  };
  if (!headers) return { pairs, contentLength };
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0])) for (const [k, v] of headers as unknown as [string, unknown][]) add(k, v);
    else for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, unknown]>) add(k, v);
  } else {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) add(k, v);
  }
  return { pairs, contentLength };
}
