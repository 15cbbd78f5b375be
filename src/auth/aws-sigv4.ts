// AWS Signature Version 4 as libcurl's http_aws_sigv4.c builds it, sans-I/O.
//
// CURLOPT_AWS_SIGV4 is "provider1[:provider2[:region[:service]]]". The
// canonical request is METHOD \n path \n sorted query \n canonical headers \n
// signed header names \n payload hash, where the canonical headers are Host,
// the S3 content hash, every CURLOPT_HTTPHEADER entry and the date header,
// names lowercased, values with runs of blanks squeezed, sorted by name. The
// signing key is HMAC-chained from "<PROVIDER1>4<secret>" over date, region,
// service and "<provider1>4_request".
import { createHash, createHmac } from 'node:crypto';
import { textToBuffer } from '../url/url-bytes.js';
import { CURLE, type CURLcode } from '../codes.js';

export interface SigV4Input {
  /** CURLOPT_AWS_SIGV4, or null for the "aws:amz" default */
  param: string | null;
  /** the URL's host name (service and region default to its first labels) */
  hostname: string;
  /** the value of the Host header we send, or null when the application set its own */
  hostHeader: string | null;
  method: string;
  /** the URL path, without the query */
  path: string;
  /** the query without '?', or null */
  query: string | null;
  /** CURLOPT_HTTPHEADER as given */
  userHeaders: readonly string[];
  /** the request body held in memory (POSTFIELDS), or null */
  body: Buffer | null;
  /** the request sends a body from a read callback (upload): S3 signs UNSIGNED-PAYLOAD */
  streamedBody: boolean;
  user: string;
  password: string;
  now: Date;
}

export type SigV4Result = { code: typeof CURLE.OK; lines: string[] } | { code: CURLcode; message: string };

const sha256hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** sscanf("%64[^:]:%64[^:]:%64[^:]:%64s"): each field must be non-empty for the next to be read. */
function splitParam(line: string): string[] {
  const out: string[] = [];
  let rest = line;
  for (let i = 0; i < 3; i++) {
    const m = /^[^:]{1,64}/.exec(rest);
    if (!m) return out;
    out.push(m[0]);
    rest = rest.slice(m[0].length);
    if (rest[0] !== ':') return out;
    rest = rest.slice(1);
  }
  const m = /^\s*(\S{1,64})/.exec(rest);
  if (m) out.push(m[1]!);
  return out;
}

/** trim_headers: lowercase the name, drop blanks after the colon, squeeze runs of blanks, drop trailing ones. */
function trimHeader(h: string): string {
  const colon = h.indexOf(':');
  if (colon < 0) return h.toLowerCase();
  const value = h.slice(colon + 1).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '').replace(/[ \t]+/g, ' ');
  return h.slice(0, colon).toLowerCase() + ':' + value;
}

/** compare_header_names: byte order of the names, a prefix sorts first. */
function compareNames(a: string, b: string): number {
  const na = a.slice(0, a.indexOf(':') < 0 ? a.length : a.indexOf(':'));
  const nb = b.slice(0, b.indexOf(':') < 0 ? b.length : b.indexOf(':'));
  const n = Math.min(na.length, nb.length);
  for (let i = 0; i < n; i++) if (na[i] !== nb[i]) return na.charCodeAt(i) - nb.charCodeAt(i);
  return na.length - nb.length;
}

/** canon_string: keep unreserved and '=', uppercase %XX, percent-encode the rest. */
function canonString(s: string): { out: string; equals: boolean } {
  let out = '';
  let equals = false;
  const bytes = Buffer.from(s, 'latin1');
  for (let i = 0; i < bytes.length; i++) {
    const c = String.fromCharCode(bytes[i]!);
    if (/[A-Za-z0-9\-._~]/.test(c)) out += c;
    else if (c === '=') {
      out += c;
      equals = true;
    } else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0))) {
      out += '%' + String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!).toUpperCase();
      i += 2;
    } else out += '%' + bytes[i]!.toString(16).toUpperCase().padStart(2, '0');
  }
  return { out, equals };
}

/** canon_query: name=value pairs sorted (empty ones first), each normalised, "=" added where missing. */
export function canonicalQuery(query: string | null): string {
  if (query === null) return '';
  const pairs = query.split('&');
  pairs.sort((a, b) => {
    if (a.length === 0) return -1;
    if (b.length === 0) return 1;
    const n = Math.min(a.length, b.length);
    const x = a.slice(0, n), y = b.slice(0, n);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const out: string[] = [];
  for (const p of pairs) {
    if (!p) continue;
    const c = canonString(p);
    out.push(c.equals ? c.out : c.out + '=');
  }
  return out.join('&');
}

function timestampOf(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function awsSigV4(input: SigV4Input): SigV4Result {
  const parts = splitParam(input.param ?? 'aws:amz');
  const provider0 = parts[0] ?? '';
  if (!provider0) return { code: CURLE.BAD_FUNCTION_ARGUMENT, message: "first aws-sigv4 provider can't be empty" };
  const provider1 = parts[1] ?? provider0;
  let region = parts[2] ?? '';
  let service = parts[3] ?? '';
  if (!service) {
    const labels = input.hostname.split('.');
    if (labels.length < 2) return { code: CURLE.URL_MALFORMAT, message: 'service missing in parameters and hostname' };
    service = labels[0]!;
    if (service.length > 64) return { code: CURLE.URL_MALFORMAT, message: 'service too long in hostname' };
    if (!region) {
      if (labels.length < 3) return { code: CURLE.URL_MALFORMAT, message: 'region missing in parameters and hostname' };
      region = labels[1]!;
      if (region.length > 64) return { code: CURLE.URL_MALFORMAT, message: 'region too long in hostname' };
    }
  }
  const p1lower = provider1.toLowerCase();
  const p1mid = p1lower.charAt(0).toUpperCase() + p1lower.slice(1);

  // the payload hash: given by the application, or computed
  const shaName = `x-${p1lower}-content-sha256`;
  const given = input.userHeaders.find((h) => h.toLowerCase().startsWith(shaName + ':'));
  let payloadHash: string;
  let contentShaHeader = '';
  if (given) {
    payloadHash = given.slice(shaName.length + 1).trim().split(/\s/)[0] ?? '';
  } else {
    const body = input.body ?? Buffer.alloc(0);
    const signAsS3 = provider0.toLowerCase() === 'aws' && service.toLowerCase() === 's3';
    if (signAsS3) {
      const empty = input.method === 'GET' || input.method === 'HEAD' || !input.streamedBody;
      payloadHash = empty ? sha256hex(body) : 'UNSIGNED-PAYLOAD';
      contentShaHeader = `x-${provider1}-content-sha256: ${payloadHash}`;
    } else payloadHash = sha256hex(body);
  }

  // canonical headers
  let timestamp = timestampOf(input.now);
  const head: string[] = [];
  if (input.hostHeader !== null) head.push(`host:${input.hostHeader}`);
  if (contentShaHeader) head.push(contentShaHeader);
  for (const h of input.userHeaders) {
    let sep = h.indexOf(':');
    if (sep < 0) sep = h.indexOf(';');
    if (sep < 0 || (h[sep] === ':' && sep + 1 === h.length)) continue;
    const rest = h.slice(sep + 1);
    if (rest.length > 0 && /^\s+$/.test(rest)) continue; // whitespace-only value
    head.push(h.slice(0, sep) + ':' + rest);
  }
  const trimmed = head.map(trimHeader);
  const dateKey = `X-${p1mid}-Date`;
  const userDate = input.userHeaders.find((h) => h.toLowerCase().startsWith(dateKey.toLowerCase()) && /^[^:]*:/.test(h));
  let dateHeader: string | null = null;
  if (userDate) {
    const m = /^[ \t]*([A-Za-z0-9]*)/.exec(userDate.slice(userDate.indexOf(':') + 1))!;
    timestamp = m[1]!.length === 16 ? m[1]! : '';
  } else {
    trimmed.push(`x-${p1lower}-date:${timestamp}`);
    dateHeader = `${dateKey}: ${timestamp}`;
  }
  // libcurl bubble-sorts: stable for equal names
  const sorted = trimmed.map((h, i) => ({ h, i })).sort((a, b) => compareNames(a.h, b.h) || a.i - b.i).map((x) => x.h);
  const canonicalHeaders = sorted.map((h) => h + '\n').join('');
  const signedHeaders = sorted.map((h) => (h.indexOf(':') < 0 ? h : h.slice(0, h.indexOf(':')))).join(';');

  const date = timestamp.slice(0, 8);
  const canonicalRequest = [input.method, input.path, canonicalQuery(input.query), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const p0lower = provider0.toLowerCase();
  const p0upper = provider0.toUpperCase();
  const requestType = `${p0lower}4_request`;
  const scope = `${date}/${region}/${service}/${requestType}`;
  const strToSign = `${p0upper}4-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256hex(Buffer.from(canonicalRequest, 'latin1'))}`;
  let key = hmac(textToBuffer(`${p0upper}4${input.password}`), date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, requestType);
  const signature = createHmac('sha256', key).update(strToSign).digest('hex');
  const lines = [`Authorization: ${p0upper}4-HMAC-SHA256 Credential=${input.user}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`];
  if (dateHeader) lines.push(dateHeader);
  if (contentShaHeader) lines.push(contentShaHeader);
  return { code: CURLE.OK, lines };
}
