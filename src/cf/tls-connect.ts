// TLS over a connected TCP transport (node:tls), with libcurl's verification
// rules and error codes. Verification is on by default: the peer's chain must
// lead to a trusted CA (SSL_VERIFYPEER) and its certificate must name the
// host we asked for (SSL_VERIFYHOST).
//
// Theory of operation: startTls() layers a TLSSocket over the TCP socket and
// upgrades the transport in place, so the curl_socket_t the application
// watches stays the same. The handshake then runs inside node:tls; the
// transport turns OUT-ready at 'secureConnect' (or IN|OUT|ERR on failure),
// and finishTls() does the checks libcurl does after SSL_connect. Node's own
// rejection is off (rejectUnauthorized: false) so that the decision, and its
// CURLcode and message, are ours.
import { connect as tlsConnect, checkServerIdentity, rootCertificates, type TLSSocket, type PeerCertificate } from 'node:tls';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { CURLE } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import type { OptionStore } from '../easy/option-store.js';
import type { StreamTransport } from '../transport/stream-transport.js';

/** Where Debian (and curl built there) finds the system's trusted CAs. */
export const DEFAULT_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface TlsSettings {
  verifyPeer: boolean;
  verifyHost: boolean;
  caFile: string | null;
  caPath: string | null;
  caBlob: Buffer | null;
}

export function tlsSettings(o: OptionStore): TlsSettings {
  const blob = o.get(CURLOPT.CAINFO_BLOB);
  return {
    verifyPeer: o.num(CURLOPT.SSL_VERIFYPEER) !== 0,
    // 1 and 2 mean the same since libcurl 7.66.0
    verifyHost: o.num(CURLOPT.SSL_VERIFYHOST) !== 0,
    caFile: o.str(CURLOPT.CAINFO),
    caPath: o.str(CURLOPT.CAPATH),
    caBlob: Buffer.isBuffer(blob) ? blob : null,
  };
}

/** The part of a pool key that keeps connections with different TLS settings apart. */
export function tlsKey(s: TlsSettings): string {
  return `|tls:${s.verifyPeer ? 1 : 0}${s.verifyHost ? 1 : 0}:${s.caFile ?? ''}:${s.caPath ?? ''}:${s.caBlob ? s.caBlob.length : ''}`;
}

type Outcome = { code: 0 } | { code: number; message: string };

function loadCa(s: TlsSettings): { ca: (string | Buffer)[] } | { code: number; message: string } {
  const ca: (string | Buffer)[] = [];
  if (s.caBlob) ca.push(s.caBlob);
  if (s.caFile !== null) {
    try {
      ca.push(readFileSync(s.caFile));
    } catch {
      return { code: CURLE.SSL_CACERT_BADFILE, message: `error setting certificate file: ${s.caFile}` };
    }
  }
  if (s.caPath !== null) {
    try {
      for (const f of readdirSync(s.caPath)) {
        if (/\.(pem|crt)$|\.\d+$/.test(f)) ca.push(readFileSync(join(s.caPath, f)));
      }
    } catch {
      return { code: CURLE.SSL_CACERT_BADFILE, message: `error setting certificate path: ${s.caPath}` };
    }
  }
  if (ca.length === 0) {
    // no CA given: the system's bundle, as curl on Debian, or Node's own roots
    if (existsSync(DEFAULT_CA_BUNDLE)) ca.push(readFileSync(DEFAULT_CA_BUNDLE));
    else ca.push(...rootCertificates);
  }
  return { ca };
}

/** Begin the handshake over the connected transport. */
export function startTls(tr: StreamTransport, host: string, s: TlsSettings): Outcome {
  const loaded = loadCa(s);
  if ('code' in loaded) return loaded;
  // a peer that already spoke (or hung up) before our ClientHello is no TLS server; node:tls
  // would never report on a socket whose bytes or EOF were read before it was layered on top
  if (tr.eof || tr.error || tr.socket.readableLength > 0) {
    return { code: CURLE.SSL_CONNECT_ERROR, message: `TLS connect error: the server sent data before the TLS handshake in connection to ${host}` };
  }
  let sock: TLSSocket;
  try {
    sock = tlsConnect({
      socket: tr.socket,
      ...(isIP(host) ? {} : { servername: host }),
      ca: loaded.ca,
      rejectUnauthorized: false,
      // the host name check is finishTls()'s (SSL_VERIFYHOST), not part of the chain verdict
      checkServerIdentity: () => undefined,
      ALPNProtocols: ['http/1.1'],
    });
  } catch (err) {
    return { code: CURLE.SSL_CONNECT_ERROR, message: `TLS connect error: ${(err as Error).message}` };
  }
  tr.upgrade(sock, 'secureConnect');
  return { code: 0 };
}

const PEER_PROBLEMS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
};

/** After 'secureConnect': the checks libcurl makes before the first request. */
export function finishTls(tr: StreamTransport, host: string, s: TlsSettings): Outcome {
  const sock = tr.socket as TLSSocket;
  if (s.verifyPeer && !sock.authorized) {
    const err = sock.authorizationError as unknown as Error | string | null;
    const code = typeof err === 'string' ? err : (err as NodeJS.ErrnoException | null)?.code ?? '';
    const text = PEER_PROBLEMS[code] ?? (typeof err === 'string' ? err : err?.message ?? 'unknown');
    return { code: CURLE.PEER_FAILED_VERIFICATION, message: `SSL certificate problem: ${text}` };
  }
  if (s.verifyHost) {
    const cert = sock.getPeerCertificate() as PeerCertificate;
    if (!cert || checkServerIdentity(host, cert) !== undefined) {
      return {
        code: CURLE.PEER_FAILED_VERIFICATION,
        message: `SSL: no alternative certificate subject name matches target host name '${host}'`,
      };
    }
  }
  return { code: 0 };
}

/** A handshake that failed before 'secureConnect'. */
export function handshakeError(err: Error, host: string, port: number): { code: number; message: string } {
  return { code: CURLE.SSL_CONNECT_ERROR, message: `TLS connect error: ${err.message.trim()} in connection to ${host}:${port}` };
}
