// RFC 9421 HTTP Message Signatures on outgoing requests, as curl 8.22 signs
// them (CURLOPT_HTTPSIG_*), sans-I/O: request facts in, header lines out.
//
// Theory of operation. The covered components are the ones listed in
// CURLOPT_HTTPSIG_HEADERS (bare names for the derived components method,
// authority, path, query; a trailing colon for a header taken from
// CURLOPT_HTTPHEADER), or by default method, authority, path and, when the
// URL has a query, query. A header component's value comes from the header
// lines that go on the wire (the caller hands them over once libcurl's rules
// and the request's own filters decided which do), read as the receiver
// reads them: the name is what precedes the first ':', the value what
// follows it without HTTP's blanks at its ends. The signature base is one line per component,
// `"<id>": <value>`, then `"@signature-params": <params>`, joined by LF with
// no final LF (RFC 9421 section 2.5). The params are the inner list of ids
// with created, keyid and alg, exactly as sent in Signature-Input; the label
// is always sig1. Ed25519 signs with the raw 32-byte seed, HMAC-SHA256 with
// the shared secret; both keys are given in hex.
//
// Everything here works on byte strings (one char per byte, as the request
// head is built): what is signed is what goes on the wire.
import { createHmac, createPrivateKey, sign } from 'node:crypto';
import { CURLE, type CURLcode } from '../codes.js';

/** CURLOPT_HTTPSIG_ALGORITHM's values (curl.h's CURLHTTPSIG_*). */
export const CURLHTTPSIG = { NONE: 0, ED25519: 1, HMAC_SHA256: 2 } as const;
export type CurlHttpSig = (typeof CURLHTTPSIG)[keyof typeof CURLHTTPSIG];

/** The alg parameter per algorithm. */
const ALG_NAME: Readonly<Record<number, string>> = { [CURLHTTPSIG.ED25519]: 'ed25519', [CURLHTTPSIG.HMAC_SHA256]: 'hmac-sha256' };

/** CURLOPT_HTTPSIG_HEADERS takes at most this many components (curl's documented limit). */
const MAX_COMPONENTS = 16;
const DERIVED = new Set(['method', 'authority', 'path', 'query']);
/** An HTTP field name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
/** The PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** One covered component: its identifier as it appears (quoted) in Signature-Input. */
export interface Component {
  /** "@method" ... for derived components, the lowercased field name for headers */
  readonly id: string;
  readonly header: boolean;
}

/**
 * Parse CURLOPT_HTTPSIG_HEADERS. null: unusable, which setopt answers with
 * CURLE_BAD_FUNCTION_ARGUMENT: an empty list, an unknown derived name, a
 * name in the legacy "@method" form (a leading '@' is curl's read-a-file
 * sign), a field name that is no token, a component listed twice (RFC 9421
 * section 2), or more than 16 of them.
 */
export function parseComponents(list: string): Component[] | null {
  const out: Component[] = [];
  for (const word of list.split(/[ \t]+/)) {
    if (word === '') continue;
    const name = word.toLowerCase();
    let c: Component;
    if (name.endsWith(':')) {
      const field = name.slice(0, -1);
      if (!TOKEN.test(field)) return null;
      c = { id: field, header: true };
    } else {
      if (!DERIVED.has(name)) return null;
      c = { id: '@' + name, header: false };
    }
    if (out.some((o) => o.id === c.id)) return null;
    out.push(c);
  }
  return out.length === 0 || out.length > MAX_COMPONENTS ? null : out;
}

/** The components signed when the application names none. */
export function defaultComponents(hasQuery: boolean): Component[] {
  const ids = hasQuery ? ['@method', '@authority', '@path', '@query'] : ['@method', '@authority', '@path'];
  return ids.map((id) => ({ id, header: false }));
}

/** What the signer needs to know about the options and the request. */
export interface HttpSigRequest {
  /** CURLOPT_HTTPSIG_ALGORITHM: ED25519 or HMAC_SHA256 */
  algorithm: number;
  /** CURLOPT_HTTPSIG_KEY: hex */
  key: string | null;
  /** CURLOPT_HTTPSIG_KEYID, as bytes */
  keyid: string | null;
  /** CURLOPT_HTTPSIG_HEADERS (null: the default set) */
  components: string | null;
  /** the method as sent (bytes) */
  method: string;
  /** host[:port], the port only when it is not the scheme's default */
  authority: string;
  /** the URL's path and query as sent (bytes) */
  target: string;
  /**
   * The lines of CURLOPT_HTTPHEADER exactly as they go on the wire, as bytes:
   * the only source of header components
   */
  headerLines: readonly string[];
  /** seconds since the epoch */
  created: number;
}

export type HttpSigResult = { code: typeof CURLE.OK; lines: string[] } | { code: CURLcode; message: string };

const fail = (code: CURLcode, message: string): HttpSigResult => ({ code, message });

/** An sf-string (RFC 8941): printable ASCII, with '"' and '\' escaped; null when it cannot be one. */
function sfString(s: string): string | null {
  if (!/^[\x20-\x7e]*$/.test(s)) return null;
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** HTTP's blanks (OWS, RFC 9110 section 5.6.3) at a field value's ends: all RFC 9421 section 2.1 strips. */
const OWS_ENDS = /^[ \t]+|[ \t]+$/g;

/**
 * A header component's value: every line sent under that field name, each
 * value stripped of OWS, joined with ", " (RFC 9421 section 2.1). The name is
 * the line's text before its first ':', as a receiver parses it ("A;b: c" is
 * a field "A;b", "X : v" one named "X "); a value of other bytes (0xA0) is
 * kept whole. undefined: no line of that name is sent.
 */
function headerValue(headerLines: readonly string[], name: string): string | undefined {
  const values: string[] = [];
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.slice(0, colon).toLowerCase() !== name) continue;
    values.push(line.slice(colon + 1).replace(OWS_ENDS, ''));
  }
  return values.length ? values.join(', ') : undefined;
}

/** A derived component's value (RFC 9421 section 2.2). */
function derivedValue(id: string, req: HttpSigRequest): string {
  const q = req.target.indexOf('?');
  const path = q < 0 ? req.target : req.target.slice(0, q);
  switch (id) {
    case '@method': return req.method;
    case '@authority': return req.authority.toLowerCase();
    case '@path': return path === '' ? '/' : path;
    // an absent query is the lone '?' (section 2.2.7)
    default: return q < 0 ? '?' : req.target.slice(q);
  }
}

/** The signature base (RFC 9421 section 2.5) and the @signature-params value it ends with. */
export function signatureBase(req: HttpSigRequest, components: readonly Component[], alg: string, keyid: string):
    { base: string; params: string } | { missing: string } {
  const lines: string[] = [];
  for (const c of components) {
    const value = c.header ? headerValue(req.headerLines, c.id) : derivedValue(c.id, req);
    if (value === undefined) return { missing: c.id };
    lines.push(`"${c.id}": ${value}`);
  }
  const params = `(${components.map((c) => `"${c.id}"`).join(' ')});created=${req.created};keyid=${keyid};alg="${alg}"`;
  lines.push(`"@signature-params": ${params}`);
  return { base: lines.join('\n'), params };
}

/** The key bytes from hex; null when the text is not an even run of hex digits. */
function hexKey(hex: string): Buffer | null {
  return /^(?:[0-9a-fA-F]{2})+$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

/** Sign the base with the algorithm's key; a string is the error message. */
function signBase(algorithm: number, key: Buffer, base: Buffer): Buffer | string {
  if (algorithm === CURLHTTPSIG.HMAC_SHA256) return createHmac('sha256', key).update(base).digest();
  if (key.length !== 32) return `httpsig: an ed25519 key is 32 bytes (64 hex digits), got ${key.length}`;
  const pkcs8 = Buffer.concat([ED25519_PKCS8_PREFIX, key]);
  return sign(null, base, createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
}

/**
 * The Signature-Input and Signature lines for a request. A missing key or
 * key id is CURLE_FAILED_INIT (the options must be set together); a key
 * that is no hex or has the wrong size, a key id that is no sf-string and a
 * listed header the request does not carry are CURLE_BAD_FUNCTION_ARGUMENT.
 */
export function httpSignature(req: HttpSigRequest): HttpSigResult {
  const alg = ALG_NAME[req.algorithm];
  if (alg === undefined) return fail(CURLE.BAD_FUNCTION_ARGUMENT, `httpsig: unknown algorithm ${req.algorithm}`);
  if (req.key === null || req.keyid === null) {
    return fail(CURLE.FAILED_INIT, 'httpsig: CURLOPT_HTTPSIG_KEY and CURLOPT_HTTPSIG_KEYID must be set');
  }
  const key = hexKey(req.key);
  if (key === null) return fail(CURLE.BAD_FUNCTION_ARGUMENT, 'httpsig: the key is not hexadecimal');
  const keyid = sfString(req.keyid);
  if (keyid === null) return fail(CURLE.BAD_FUNCTION_ARGUMENT, 'httpsig: the key id must be printable ASCII');
  const components = req.components === null ? defaultComponents(req.target.includes('?')) : parseComponents(req.components);
  if (components === null) return fail(CURLE.BAD_FUNCTION_ARGUMENT, 'httpsig: bad component list');
  const b = signatureBase(req, components, alg, keyid);
  if ('missing' in b) return fail(CURLE.BAD_FUNCTION_ARGUMENT, `httpsig: header '${b.missing}' to sign is not sent from CURLOPT_HTTPHEADER`);
  const signature = signBase(req.algorithm, key, Buffer.from(b.base, 'latin1'));
  if (typeof signature === 'string') return fail(CURLE.BAD_FUNCTION_ARGUMENT, signature);
  return {
    code: CURLE.OK,
    lines: [`Signature-Input: sig1=${b.params}`, `Signature: sig1=:${signature.toString('base64')}:`],
  };
}
