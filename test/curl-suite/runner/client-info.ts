// What the client under test is and can do, read from `CLIENT --version` the way
// runtests.pl does: the name and version from the first line, `Features:` and
// `Protocols:` lines, plus the features runtests assumes unless a build disables
// them (cookies, proxy, Mime, ...), since neither curl nor tscurl lists those.

import { execFileSync } from 'node:child_process';

export interface ClientInfo {
  /** Shell words that start the client, e.g. `/usr/bin/curl` or `node .../main.js`. */
  readonly command: string;
  readonly name: string;
  readonly version: string;
  readonly features: ReadonlySet<string>;
}

/** Assumed present, as runtests does when the `disabled` tool does not list them. */
const ASSUMED = [
  'cookies', 'proxy', 'Mime', 'netrc', 'parsedate', 'digest', 'HTTP-auth', 'headers-api', 'DoH',
  'verbose-strings', 'local-http', 'large-time', 'large-size', 'typecheck', 'shuffle-dns', 'wakeup',
  'bearer-auth', 'aws', 'xattr', 'getrlimit', '--libcurl',
];

export function parseVersionOutput(command: string, out: string): ClientInfo {
  const lines = out.split(/\r?\n/);
  const first = (lines[0] ?? '').split(/\s+/);
  const features = new Set<string>(ASSUMED);
  for (const line of lines) {
    const mf = /^Features:\s*(.*)$/.exec(line);
    if (mf) {
      for (const f of (mf[1] ?? '').split(/\s+/).filter(Boolean)) {
        features.add(f);
        if (f === 'HTTP2') { features.add('http/2'); features.add('h2c'); }
        if (f === 'HTTP3') features.add('http/3');
        if (f === 'AsynchDNS') features.add('threaded-resolver');
        if (f === 'SSLS-EXPORT') features.add('ssl-sessions');
        // runtests' name for curl 8.22's HTTPSIG (RFC 9421 message signatures)
        if (f === 'HTTPSIG') features.add('httpsig');
      }
    }
    const mp = /^Protocols:\s*(.*)$/.exec(line);
    if (mp) for (const p of (mp[1] ?? '').split(/\s+/).filter(Boolean)) features.add(p.toLowerCase());
  }
  // runtests: "crypto" means some TLS or auth crypto backend exists.
  if (['SSL', 'NTLM', 'Kerberos', 'SPNEGO'].some((f) => features.has(f))) features.add('crypto');
  // The TLS backend name appears on the first line (OpenSSL/3.0.x, ...).
  for (const word of first) {
    const lib = /^(OpenSSL|GnuTLS|wolfSSL|mbedTLS|rustls|Schannel)\//i.exec(word);
    if (lib) features.add(lib[1] === 'OpenSSL' ? 'OpenSSL' : (lib[1] ?? ''));
  }
  return { command, name: first[0] ?? 'curl', version: first[1] ?? '', features };
}

export function probeClient(command: string): ClientInfo {
  const out = execFileSync('/bin/sh', ['-c', `${command} --version`], {
    encoding: 'latin1',
    timeout: 20_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const info = parseVersionOutput(command, out);
  // runtests' "manual" feature: the tool has its built-in manual (-M), so its usage errors end with
  // "try 'curl --help' or 'curl --manual'" (cases 481, 482 tell the two apart with %if manual)
  if (hasManual(command)) (info.features as Set<string>).add('manual');
  return info;
}

function hasManual(command: string): boolean {
  try {
    const out = execFileSync('/bin/sh', ['-c', `${command} --manual`], { encoding: 'latin1', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
    return out.trim() !== '';
  } catch {
    return false;
  }
}
