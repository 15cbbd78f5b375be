// SSL_VERIFYHOST the way libcurl's OpenSSL backend checks a certificate
// (Curl_ossl_verifyhost, Curl_cert_hostcheck): IP address hosts against IP
// subjectAltNames, names against DNS subjectAltNames with one left-most
// wildcard label; only when the certificate has no subjectAltName of either
// kind is the last CN of the subject compared. Returns the verbose line
// libcurl prints on success, or its failure message.
import { isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';

export type HostCheck = { ok: true; info: string } | { ok: false; info?: string; message: string };

const stripDot = (s: string): string => (s.endsWith('.') ? s.slice(0, -1) : s);

/** Curl_cert_hostcheck: case-insensitive, "*." wildcard for the left-most label only, never for IPs. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = stripDot(pattern).toLowerCase();
  const h = stripDot(host).toLowerCase();
  if (!p.startsWith('*.')) return p === h;
  if (isIP(h)) return false;
  const patternLabelEnd = p.indexOf('.');
  // the wildcard needs at least two labels after it: "*.com" matches nothing
  if (p.lastIndexOf('.') === patternLabelEnd) return false;
  const hostLabelEnd = h.indexOf('.');
  if (hostLabelEnd < 0 || p.slice(patternLabelEnd) !== h.slice(hostLabelEnd)) return false;
  return hostLabelEnd >= patternLabelEnd;
}

/** An IP address as bytes, for comparing textual forms ("::1" and "0:0:0:0:0:0:0:1"). */
function ipBytes(ip: string): Buffer | null {
  const v = isIP(ip);
  if (v === 4) return Buffer.from(ip.split('.').map(Number));
  if (v !== 6) return null;
  // a trailing dotted quad ("::ffff:1.2.3.4") becomes two hex groups
  const s = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
  const [head, rest] = s.includes('::') ? (s.split('::') as [string, string]) : [s, ''];
  const h = head ? head.split(':').map((x) => parseInt(x, 16)) : [];
  const r = rest ? rest.split(':').map((x) => parseInt(x, 16)) : [];
  const groups = [...h, ...new Array<number>(Math.max(0, 8 - h.length - r.length)).fill(0), ...r];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g & 0xffff, i * 2));
  return out;
}

/** node's subjectAltName text ("DNS:a, IP Address:1.2.3.4"), split into entries. */
function altNames(cert: X509Certificate): { type: string; value: string }[] {
  const text = cert.subjectAltName;
  if (!text) return [];
  const out: { type: string; value: string }[] = [];
  // entries are "TYPE:value" joined by ", "; node quotes values that contain separators
  for (const m of text.matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    let value = m[2]!;
    if (value.startsWith('"')) value = JSON.parse(value) as string;
    out.push({ type: m[1]!, value });
  }
  return out;
}

/** The last CN of a certificate's subject, as libcurl uses. */
function lastCommonName(cert: X509Certificate): string | null {
  let cn: string | null = null;
  for (const line of cert.subject.split('\n')) if (line.startsWith('CN=')) cn = line.slice(3);
  return cn;
}

export function verifyHost(cert: X509Certificate, hostname: string): HostCheck {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const ip = ipBytes(host);
  const names = altNames(cert);
  let sawDns = false;
  let sawIp = false;
  for (const n of names) {
    if (n.type === 'DNS') {
      sawDns = true;
      if (!ip && hostMatches(n.value, host)) return { ok: true, info: ` subjectAltName: host "${host}" matched cert's "${n.value}"` };
    } else if (n.type === 'IP Address') {
      sawIp = true;
      const b = ipBytes(n.value);
      if (ip && b && b.equals(ip)) return { ok: true, info: ` subjectAltName: host "${host}" matched cert's IP address!` };
    }
  }
  if (sawDns || sawIp) {
    return {
      ok: false,
      info: ` subjectAltName does not match ${host}`,
      message: `SSL: no alternative certificate subject name matches target host name '${host}'`,
    };
  }
  const cn = lastCommonName(cert);
  if (cn === null) return { ok: false, message: 'SSL: unable to obtain common name from peer certificate' };
  if (!hostMatches(cn, host)) return { ok: false, message: `SSL: certificate subject name '${cn}' does not match target host name '${host}'` };
  return { ok: true, info: ` common name: ${cn} (matched)` };
}
