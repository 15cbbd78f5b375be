// The one place that turns CURLOPT_URL (+ PORT, DEFAULT_PROTOCOL, PATH_AS_IS)
// into the engine's view of a URL, through curl's URL API (src/url), and
// refuses schemes without a protocol handler (src/proto/registry.ts).
import { CURLE, easyStrerror } from '../codes.js';
import { parseTransferUrl, type TransferUrl } from '../url/parse-url.js';
import { handlerFor } from '../proto/registry.js';
import { PROTOPT } from '../proto/handler.js';

export type { TransferUrl };

/** libcurl's MAX_URL_LEN, the longest host name it takes. */
const MAX_HOST_NAME_LEN = 0xffff;


export type UrlResult = { code: 0; url: TransferUrl } | { code: number; message: string };

/**
 * The last parse per option store: a handle re-added with the same URL (the
 * common case for connection-reusing loops) skips the URL parser. The parsed
 * URL is frozen and shared: transfers never modify theirs (a redirect
 * replaces it).
 */
interface ParseMemo {
  raw: string;
  portOverride: number;
  defaultProtocol: string | null;
  pathAsIs: boolean;
  result: UrlResult;
}
const lastParse = new WeakMap<object, ParseMemo>();

export function parseUrlCached(owner: object, raw: string, portOverride: number, defaultProtocol: string | null, pathAsIs: boolean): UrlResult {
  const hit = lastParse.get(owner);
  if (hit && hit.raw === raw && hit.portOverride === portOverride && hit.defaultProtocol === defaultProtocol && hit.pathAsIs === pathAsIs) {
    return hit.result;
  }
  const result = parseUrlForTransfer(raw, portOverride, defaultProtocol, pathAsIs);
  if (result.code === 0 && 'url' in result) Object.freeze(result.url);
  lastParse.set(owner, { raw, portOverride, defaultProtocol, pathAsIs, result });
  return result;
}

export function parseUrlForTransfer(raw: string, portOverride: number, defaultProtocol: string | null, pathAsIs = false): UrlResult {
  const r = parseTransferUrl(raw, { ...(defaultProtocol ? { defaultProtocol } : {}), pathAsIs });
  if (r.code !== CURLE.OK || !r.url) {
    if (r.code === CURLE.UNSUPPORTED_PROTOCOL) {
      const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase() ?? raw;
      return { code: r.code, message: `Protocol "${scheme}" not supported or disabled in libcurl` };
    }
    // 7.88's parseurlandfillconn() returns the URL API's code without a failf(): the text is strerror's
    const code = r.code || CURLE.URL_MALFORMAT;
    return { code, message: r.message ?? easyStrerror(code) };
  }
  const url = r.url;
  const handler = handlerFor(url.scheme);
  if (!handler) {
    return { code: CURLE.UNSUPPORTED_PROTOCOL, message: `Protocol "${url.scheme}" not supported or disabled in libcurl` };
  }
  // file: URLs name a path, not a host
  if (!url.host && !(handler.flags & PROTOPT.NONETWORK)) return { code: CURLE.URL_MALFORMAT, message: easyStrerror(CURLE.URL_MALFORMAT) };
  // libcurl's parseurlandfillconn(): a host name past MAX_URL_LEN is refused before any lookup
  if (url.host.length > MAX_HOST_NAME_LEN) {
    return { code: CURLE.URL_MALFORMAT, message: `Too long host name (maximum is ${MAX_HOST_NAME_LEN})` };
  }
  // a file: URL names no host to connect to: CURLOPT_PORT changes nothing (7.88's effective URL stays)
  if (portOverride > 0 && portOverride !== url.port && !(handler.flags & PROTOPT.NONETWORK)) {
    // CURLOPT_PORT wins over the URL's port, and shows in the effective URL
    url.port = portOverride;
    const host = url.ipv6 ? `[${url.host}]` : url.host;
    url.href = url.href.replace(/^([a-z]+:\/\/(?:[^@/]*@)?)[^/?#]*/i, `$1${host}${portOverride === handler.defaultPort ? '' : `:${portOverride}`}`);
  }
  return { code: 0, url };
}
