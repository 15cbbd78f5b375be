// Assembling an HTTP/1.x request head the way libcurl does: request line, Host,
// User-Agent, Accept, the application's headers (which may replace, remove or
// blank out the built-in ones), then the body headers.
//
// The head is a byte string (src/url/url-bytes.ts): the URL's target, the
// cookie engine's cookies and the authentication lines already are bytes;
// every option string is text and goes in through toBytes() (UTF-8), which
// costs ASCII strings one regex test. A line that would still carry CR, LF
// or NUL is refused (CURLE_BAD_FUNCTION_ARGUMENT) before anything is sent.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURLPROTO } from '../constants.js';
import type { Transfer } from '../multi/transfer.js';
import { credentialsAllowed } from './redirect.js';
import { authRequestLines, hostAuthOf, proxyAuthRequestLines, proxyHeaderList } from './http-auth.js';
import type { AuthOutput } from '../auth/host-auth.js';
import { CURLU, CURLUPART } from '../url/url-codes.js';
import { cookieRequestLine } from './http-cookies.js';
import { httpState, customRequest, requestKind, type HttpTransferState } from './http-state.js';
import { altUsedLine } from './hsts-altsvc.js';
import { acceptEncodingLine, rangeLine, timeConditionLine, transferEncodingLines } from './http-request-lines.js';
import { HTTPREQ, type HttpReq } from '../easy/option-store.js';
import { planBody } from '../cr/request-body.js';
import type { TrailerSource } from '../cr/chunked-reader.js';
import { resumeOffset } from './http-response.js';
import { MimeReader } from '../cr/mime-reader.js';
import { Mime } from '../cr/mime.js';
import type { ClientReader } from '../cr/client-reader.js';
import type { CallbackGuard } from '../cw/client-writer.js';
import { textToBuffer, toBytes } from '../url/url-bytes.js';
import { headBytes, headLinesProblem } from '../http1/request-writer.js';
import { customHeaders, type CustomHeader } from '../http1/custom-headers.js';
import { traceText } from '../util/trace.js';
import { h2cUpgradeLines, h2cUpgradeWanted } from './h2-connect.js';
import { uploadSource } from './upload-source.js';

export interface BuiltRequest {
  code: CURLcode;
  method: string;
  head: Buffer;
  /** the body source (null: no body) */
  reader?: ClientReader | null;
  /** wait for 100 Continue before sending the body */
  expect100?: boolean;
  /** a POSTFIELDS body libcurl 7.88 sends in the head's buffer (under 64 KiB, no Expect): not through its upload loop */
  bodyInHead?: boolean;
  /** CURLINFO_CONTENT_LENGTH_UPLOAD (-1 unknown) */
  uploadLength?: number;
  /** HTTP/2: where the request's trailers come from (TRAILERFUNCTION), sent after the body */
  trailers?: TrailerSource;
  /** verbose info about authentication, and libcurl's message when it failed */
  info?: string[];
  message?: string;
}

const DEFAULT_PORT: Record<string, number> = { http: 80, https: 443 };

// rtsp-request.ts and the CONNECT tunnel read the list here too
export { customHeaders };

/** Curl_http_method: CUSTOMREQUEST, else HEAD for NOBODY, else the request kind's method. */
function methodOf(t: Transfer, httpreq: HttpReq): string {
  const custom = customRequest(t);
  if (custom) return custom;
  if (t.opts.num(CURLOPT.NOBODY)) return 'HEAD';
  switch (httpreq) {
    case HTTPREQ.POST: case HTTPREQ.POST_FORM: case HTTPREQ.POST_MIME: return 'POST';
    case HTTPREQ.PUT: return 'PUT';
    case HTTPREQ.HEAD: return 'HEAD';
    default: return 'GET';
  }
}

/** The transfer's MIMEPOST reader: one for all its requests, so re-sends can rewind it. */
function mimeSource(t: Transfer, h: HttpTransferState, guard: CallbackGuard, contentType: string | undefined): MimeReader | null {
  const mime = t.opts.get(CURLOPT.MIMEPOST);
  if (!(mime instanceof Mime)) return null;
  return (h.mimeSource ??= new MimeReader(mime, guard, contentType, t.opts.num(CURLOPT.MIME_OPTIONS)));
}

/** libcurl's state.infilesize: the upload size the application announced (-1 unknown). */
function announcedSize(o: Transfer['opts'], httpreq: HttpReq, postfields: string | Buffer | null): number {
  if (httpreq === HTTPREQ.PUT) return o.num(CURLOPT.INFILESIZE_LARGE);
  const size = o.num(CURLOPT.POSTFIELDSIZE_LARGE);
  return size < 0 && postfields !== null ? postfieldsBytes(postfields).length : size;
}

/**
 * A request head that depends on nothing but the options, the URL and the
 * HTTP version: the common GET a handle re-sends over and over (keep-alive
 * loops). Remembered per option store; the parts that can change between
 * requests without an option changing — the cookie engine's Cookie line and
 * the authentication state — are still decided every time: the Cookie line
 * goes between `before` and `after`, and the memo is only used while
 * authentication has nothing to add.
 */
interface HeadMemo {
  generation: number;
  href: string;
  http11: boolean;
  /** made for an HTTP/2 connection ("HTTP/2" in the request line) */
  h2: boolean;
  method: string;
  /** the method as sent (its UTF-8 bytes) */
  wireMethod: string;
  /** the Host value authentication signs (null when a custom Host replaced ours) */
  authHost: string | null;
  resumeFrom: number;
  /** the head up to where the Cookie line goes, each line ending in CRLF */
  before: string;
  /** the rest, ending in the blank line */
  after: string;
  /** before + after as bytes, for requests without a Cookie line */
  whole: Buffer;
}
const headMemos = new WeakMap<object, HeadMemo>();

/** Curl_use_http_1_1plus: HTTP/1.0 when asked for, or when this transfer's server or this connection's last response answered with it. */
function useHttp11(t: Transfer, h: HttpTransferState): boolean {
  return t.opts.num(CURLOPT.HTTP_VERSION) !== 1 && h.httpVersion !== 10 && t.conn?.httpVersion !== 10;
}

/** The request goes out on an HTTP/2 stream. */
function useH2(t: Transfer): boolean {
  return t.conn?.h2 != null;
}

/** Whether this request may use (and make) a memo: a plain GET/HEAD of the first URL, directly to the server. */
function memoizable(t: Transfer, h: HttpTransferState): boolean {
  return t.opts.method === HTTPREQ.GET && !h.forceGet && t.redirectCount === 0 && h.autoReferer === null &&
    t.conn?.forwardingProxy !== true && t.conn?.route.altUsed !== true && (t.conn === null || !h2cUpgradeWanted(t, t.conn));
}

/**
 * Header lines a protocol on top of HTTP adds to its request (WebSocket's
 * upgrade), after the application's own; `userHas` says whether the
 * application set a header of that name itself (libcurl then sends its).
 */
export type ExtraRequestLines = (userHas: (name: string) => boolean) => string[];

export function buildRequest(t: Transfer, guard: CallbackGuard, extra: ExtraRequestLines | null = null): BuiltRequest {
  const h = httpState(t);
  if (extra !== null) return buildFull(t, h, guard, null, extra);
  if (!memoizable(t, h)) return buildFull(t, h, guard, null);
  const m = headMemos.get(t.opts);
  const http11 = useHttp11(t, h);
  if (!m || m.generation !== t.opts.generation || m.href !== t.url!.href || m.http11 !== http11 || m.h2 !== useH2(t)) {
    return buildFull(t, h, guard, null);
  }
  // memoized heads are of GET requests only: no probe, whatever CUSTOMREQUEST says
  const auth = authRequestLines(t, h, m.wireMethod, m.authHost, null, true);
  if (auth.code !== CURLE.OK || auth.lines.length > 0 || auth.probe || auth.info.length > 0) {
    // credentials turned up (a .netrc entry): the general path, with what authentication already said
    return buildFull(t, h, guard, auth);
  }
  h.resumeFrom = m.resumeFrom;
  const cookieInfo: string[] = [];
  const cookie = cookieRequestLine(t, (text) => cookieInfo.push(text));
  const problem = cookie === null ? null : headLinesProblem([cookie]);
  if (problem !== null) return { code: CURLE.BAD_FUNCTION_ARGUMENT, method: m.method, head: Buffer.alloc(0), message: problem };
  const head = cookie === null ? m.whole : Buffer.from(`${m.before}${cookie}\r\n${m.after}`, 'latin1');
  return { code: CURLE.OK, method: m.method, head, reader: null, expect100: false, uploadLength: -1, ...(cookieInfo.length ? { info: cookieInfo } : {}) };
}

function buildFull(t: Transfer, h: HttpTransferState, guard: CallbackGuard, preAuth: AuthOutput | null,
  extra: ExtraRequestLines | null = null): BuiltRequest {
  const url = t.url!;
  const o = t.opts;
  const httpreq = requestKind(t, h);
  const postfields = httpreq === HTTPREQ.POST ? (o.get(CURLOPT.POSTFIELDS) as string | Buffer | null) : null;
  const isPost = postfields !== null;
  const method = methodOf(t, httpreq);
  const wireMethod = toBytes(method);
  // the request line says which version too (get_http_string)
  const http11 = useHttp11(t, h);
  const h2 = useH2(t);
  const version = h2 ? '2' : http11 ? '1.1' : '1.0';

  // an ftp:// URL through a proxy always names its port: libcurl omits only HTTP's 80 and HTTPS's 443
  const ftpViaProxy = t.conn?.forwardingProxy === true && (t.handler!.protocol & (CURLPROTO.FTP | CURLPROTO.FTPS)) !== 0;
  const hostValue =
    (url.ipv6 ? `[${url.host}]` : url.host) + (ftpViaProxy || url.port !== (t.handler?.defaultPort ?? DEFAULT_PORT[url.scheme]) ? `:${url.port}` : '');
  // custom Authorization/Cookie headers stay with the first origin (CVE-2018-1000007, CVE-2022-27776),
  // also when written with blanks before the colon ("Authorization : x"), which lenient servers
  // take as the header: curl 8 strips those too (its test 2113)
  // a custom Host: is only used while the request goes to the first host: after a redirect elsewhere it would lie
  const sameHost = !t.firstUrl || t.firstUrl.host.toLowerCase() === url.host.toLowerCase();
  // a request forwarded by an HTTP proxy: absolute URL, Proxy-* headers, the proxy's custom headers too
  const forwarded = t.conn?.forwardingProxy === true;
  const separate = !o.has(CURLOPT.HEADEROPT) || (o.num(CURLOPT.HEADEROPT) & 1) !== 0;
  const userHeaders = (o.get(CURLOPT.HTTPHEADER) as string[] | null) ?? [];
  const custom_ = customHeaders(forwarded && separate ? [...userHeaders, ...proxyHeaderList(t)] : userHeaders)
    .filter((h) => credentialsAllowed(t) || !/^(authorization|cookie)[ \t]*$/i.test(h.name))
    .filter((h) => sameHost || h.name.toLowerCase() !== 'host');
  const overridden = new Set(custom_.map((h) => h.name.toLowerCase()));

  // CURLOPT_REQUEST_TARGET goes out verbatim in place of the URL's path and query
  const requestTarget = o.str(CURLOPT.REQUEST_TARGET);
  const target = requestTarget !== null ? toBytes(requestTarget) : forwarded ? absoluteTarget(t) : url.path;
  const lines: string[] = [`${wireMethod} ${target} HTTP/${version}`];
  // a custom Host: takes the built-in one's place, first after the request line (libcurl's aptr.host)
  const customHost = custom_.find((h) => h.name.toLowerCase() === 'host');
  if (!customHost) lines.push(`Host: ${hostValue}`);
  else if (customHost.line !== null) lines.push(toBytes(customHost.line));
  // Authorization (and AWS SigV4's date/hash headers) go right after Host, as in libcurl
  const authHost = overridden.has('host') ? null : hostValue;
  // whether a request probes is the request kind's business, not -X's (curl case 1001: a resumed PUT sent as "GET")
  const bodyless = httpreq === HTTPREQ.GET || httpreq === HTTPREQ.HEAD || o.num(CURLOPT.NOBODY) !== 0;
  // Proxy-Authorization comes before Authorization (libcurl's aptr.proxyuserpwd, aptr.userpwd)
  const pauth = forwarded ? proxyAuthRequestLines(t, wireMethod, url.path, bodyless) : { code: CURLE.OK, lines: [], probe: false, info: [] as string[] };
  if (pauth.code !== CURLE.OK) return { code: pauth.code, method, head: Buffer.alloc(0), ...(pauth.message ? { message: pauth.message } : {}) };
  const te = transferEncodingLines(t, custom_, overridden);
  const later = (probe: boolean): CustomHeader[] => laterCustomHeaders(custom_, customHost, te.merged, probe, httpreq);
  const laterSent = later(pauth.probe);
  // an HTTP signature covers the application's lines exactly as they go out: Host first, a custom
  // Connection merged with TE's, the rest after libcurl's own (a host probe sends no signature)
  const signedLines = preAuth === null && hostAuthOf(t, h).signs ? [
    ...(customHost?.line != null ? [customHost.line] : []), ...(te.merged?.line != null && te.connection ? [te.connection] : []),
    ...laterSent.map((c) => c.line!),
  ].map(toBytes) : undefined;
  const auth = preAuth ?? authRequestLines(t, h, wireMethod, authHost, isPost ? postfieldsBytes(postfields!) : null, bodyless, signedLines);
  if (auth.code !== CURLE.OK) return { code: auth.code, method, head: Buffer.alloc(0), ...(auth.message ? { message: auth.message } : {}) };
  lines.push(...pauth.lines, ...auth.lines);
  const rangeAt = lines.length; // Range / Content-Range: placed here once the body plan knows the upload length
  const ua = o.str(CURLOPT.USERAGENT);
  if (ua && !overridden.has('user-agent')) lines.push(`User-Agent: ${toBytes(ua)}`);
  if (!overridden.has('accept')) lines.push('Accept: */*');
  if (te.te) lines.push(te.te);
  const acceptEncoding = acceptEncodingLine(t, overridden);
  if (acceptEncoding) lines.push(toBytes(acceptEncoding));
  const referer = h.autoReferer ?? o.str(CURLOPT.REFERER);
  if (referer && !overridden.has('referer')) lines.push(`Referer: ${toBytes(referer)}`);
  if (forwarded && !overridden.has('proxy-connection')) lines.push('Proxy-Connection: Keep-Alive');
  if (te.connection) lines.push(toBytes(te.connection));
  // the cookie engine's cookies for this host and path, then CURLOPT_COOKIE (libcurl's Curl_add_cookies)
  const bodyInfo: string[] = [];
  // what the body's readers say while the body is sent (the end of a chunked upload, its trailers) is traced then
  let bodySending = false;
  // NOBODY sends no body whatever the request kind (req.no_body)
  const plan = planBody({
    opts: o, httpreq: o.num(CURLOPT.NOBODY) ? HTTPREQ.HEAD : httpreq, authneg: auth.probe || pauth.probe, http11, http2: h2,
    disableExpect: h.disableExpect, resumeFrom: resumeOffset(t), source: () => uploadSource(t, guard), guard,
    mime: () => {
      const ct = custom_.find((c) => c.name.toLowerCase() === 'content-type');
      return mimeSource(t, h, guard, ct?.line ? ct.line.slice(ct.line.indexOf(':') + 1).trim() : undefined);
    },
    info: (text) => (bodySending ? traceText(guard, t, text) : bodyInfo.push(text)),
    userHeader: (name) => {
      const h = custom_.find((c) => c.name.toLowerCase() === name);
      return h === undefined ? undefined : h.line === null ? '' : h.line.slice(h.line.indexOf(':') + 1).trim();
    },
  });
  if (plan.code !== CURLE.OK) return { code: plan.code, method, head: Buffer.alloc(0), ...(plan.message ? { message: plan.message } : {}) };
  const isGetOrHead = httpreq === HTTPREQ.GET || httpreq === HTTPREQ.HEAD || o.num(CURLOPT.NOBODY) !== 0;
  const range = rangeLine(t, h, isGetOrHead, overridden, {
    upload: httpreq === HTTPREQ.PUT || httpreq === HTTPREQ.POST, length: plan.uploadLength,
    probeSize: auth.probe ? announcedSize(o, httpreq, postfields) : null,
  });
  if (range) lines.splice(rangeAt, 0, toBytes(range));
  if (plan.teLine) lines.push(plan.teLine);
  const altUsed = altUsedLine(t, overridden);
  if (altUsed !== null) lines.push(toBytes(altUsed));
  for (const l of h2cUpgradeLines(t)) lines.push(l);
  const cookieInfo: string[] = [];
  const cookie = cookieRequestLine(t, (text) => cookieInfo.push(text));
  const cookieAt = lines.length;
  if (cookie !== null) lines.push(cookie);
  const condition = timeConditionLine(t, overridden);
  if (condition) lines.push(condition);
  for (const h of auth.probe ? later(true) : laterSent) lines.push(toBytes(h.line!));
  if (extra !== null) for (const l of extra((name) => overridden.has(name.toLowerCase()))) lines.push(l);
  for (const l of plan.bodyLines) lines.push(toBytes(l));
  // header values must not smuggle extra lines onto the wire
  const problem = headLinesProblem(lines);
  if (problem !== null) return { code: CURLE.BAD_FUNCTION_ARGUMENT, method, head: Buffer.alloc(0), message: problem };
  const head = headBytes(lines);
  // libcurl builds the head in a buffer of at most DYN_HTTP_REQUEST bytes: a larger one is never sent
  // (curl 8's CURLE_TOO_LARGE, its case 3229; 7.88 said CURLE_OUT_OF_MEMORY for the same limit)
  if (head.length >= DYN_HTTP_REQUEST) return { code: CURLE.TOO_LARGE, method, head: Buffer.alloc(0) };
  const info = [...pauth.info, ...auth.info, ...cookieInfo, ...bodyInfo];
  if (extra === null && memoizable(t, h) && plan.reader === null && !plan.expect100 &&
      auth.lines.length === 0 && !auth.probe && auth.info.length === 0 && bodyInfo.length === 0) {
    const without = cookie === null ? lines : [...lines.slice(0, cookieAt), ...lines.slice(cookieAt + 1)];
    const before = without.slice(0, cookieAt).map((l) => l + '\r\n').join('');
    const after = without.slice(cookieAt).map((l) => l + '\r\n').join('') + '\r\n';
    headMemos.set(o, {
      generation: o.generation, href: url.href, http11, h2, method, wireMethod, authHost, resumeFrom: h.resumeFrom,
      before, after, whole: cookie === null ? head : Buffer.from(before + after, 'latin1'), // byte strings
    });
  }
  bodySending = true;
  return {
    code: CURLE.OK, method, head, reader: plan.reader, expect100: plan.expect100, uploadLength: plan.uploadLength,
    bodyInHead: plan.inHead === true,
    ...(info.length ? { info } : {}), ...(plan.trailers ? { trailers: plan.trailers } : {}),
  };
}

/**
 * The application's header entries whose lines go out after libcurl's own
 * headers, in order: not the Host line (it went first) nor the Connection
 * merged with TE's, and each line that sends something.
 */
function laterCustomHeaders(custom: readonly CustomHeader[], customHost: CustomHeader | undefined, merged: CustomHeader | null,
  probe: boolean, httpreq: HttpReq): CustomHeader[] {
  return custom.filter((h) => {
    if (h.line === null || h === customHost || h === merged) return false;
    const name = h.name.toLowerCase();
    // once a Host: line went out, further custom ones are dropped: two would make a bad request (libcurl does too)
    if (customHost?.line !== null && name === 'host') return false;
    // while negotiating authentication the length is forced to zero: the application's Content-Length waits
    if (probe && name === 'content-length') return false;
    // a multipart post's Content-Type is generated (with the boundary) from the application's
    return !(httpreq === HTTPREQ.POST_MIME && name === 'content-type');
  });
}

/** libcurl's DYN_HTTP_REQUEST: the request head must stay under 1 MiB. */
const DYN_HTTP_REQUEST = 1024 * 1024;

/**
 * The request target for a forwarding proxy: the whole URL without its
 * fragment, without credentials for http:, and without a default port
 * (libcurl's http_target with CURLU_NO_DEFAULT_PORT).
 */
function absoluteTarget(t: Transfer): string {
  const url = t.url!;
  const h = url.handle.dup();
  h.set(CURLUPART.FRAGMENT, null);
  if (url.scheme === 'http') {
    h.set(CURLUPART.USER, null);
    h.set(CURLUPART.PASSWORD, null);
  } else if (url.scheme === 'ftp') {
    // the proxy logs in for us: credentials set by option go into the URL, as libcurl's override_login
    const user = t.opts.str(CURLOPT.USERNAME);
    const password = t.opts.str(CURLOPT.PASSWORD);
    if (user !== null) h.set(CURLUPART.USER, user, CURLU.URLENCODE);
    if (password !== null) h.set(CURLUPART.PASSWORD, password, CURLU.URLENCODE);
  }
  // an international host name goes in its ASCII form, as in the Host header
  if (!url.ipv6 && h.get(CURLUPART.HOST).value !== url.host) h.set(CURLUPART.HOST, url.host);
  return toBytes(h.get(CURLUPART.URL, CURLU.NO_DEFAULT_PORT).value ?? url.href);
}

/** A POSTFIELDS body as bytes: a string is text, UTF-8 encoded (src/cr/request-body.ts). */
function postfieldsBytes(pf: string | Buffer): Buffer {
  return Buffer.isBuffer(pf) ? pf : textToBuffer(pf);
}
