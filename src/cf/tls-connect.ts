// TLS over a connected TCP transport (node:tls), with libcurl's verification
// rules and error codes. Verification is on by default: the peer's chain must
// lead to a trusted CA (SSL_VERIFYPEER) and its certificate must name the
// host we asked for (SSL_VERIFYHOST).
//
// Theory of operation: startTls() turns the easy options into node:tls
// options (src/vtls/tls-options.ts: versions, ciphers, client certificate,
// CAs, CRL — each failure with libcurl's code), offers a cached session for
// resumption, layers a TLSSocket over the TCP socket and upgrades the
// transport in place, so the curl_socket_t the application watches stays the
// same. The handshake then runs inside node:tls; the transport turns OUT-ready
// at 'secureConnect' (or IN|OUT|ERR on failure), and finishTls() does the
// checks libcurl does after SSL_connect (src/vtls/server-cert.ts). Node's own
// rejection is off (rejectUnauthorized: false) so that the decision, and its
// CURLcode and message, are ours.
import { connect as tlsConnect, type TLSSocket, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { appendFileSync } from 'node:fs';
import { CURLE } from '../codes.js';
import type { StreamTransport } from '../transport/stream-transport.js';
import { tlsKey, type TlsConfig } from '../vtls/tls-config.js';
import { buildTlsOptions } from '../vtls/tls-options.js';
import { checkServerCert, type ServerCertResult } from '../vtls/server-cert.js';
import type { TlsSessionCache, CachedSession } from '../vtls/tls-session-cache.js';
import { peerChain } from '../vtls/tls-certinfo.js';

export { tlsConfig, tlsKey, tlsKeyOf, type TlsConfig } from '../vtls/tls-config.js';
export { DEFAULT_CA_BUNDLE } from '../vtls/tls-options.js';

type Outcome = { code: 0 } | { code: number; message: string };

/** What one handshake needs to remember between startTls() and finishTls(). */
interface HandshakeState {
  sessions: TlsSessionCache | null;
  peer: string;
  offered: CachedSession | undefined;
  /** the verified peer chain, once finishTls() accepted it */
  chain: Buffer[] | null;
  /** a session that arrived before the verdict */
  pending: Buffer | null;
  /** ALPN was offered: the verdict tells what the server chose */
  alpnOffered: boolean;
  /**
   * The peer's chain as node:tls read it for its own identity check (our
   * checkServerIdentity, which decides nothing): the same
   * getPeerCertificate(true) finishTls() needs, made once per handshake instead of twice.
   */
  peerCert: DetailedPeerCertificate | null;
}
const handshakes = new WeakMap<TLSSocket, HandshakeState>();

/**
 * The session cache key of a peer: sessions are only resumed under the same settings, and an HTTPS
 * proxy's sessions never for an origin at the same host and port, nor the other way (CVE-2021-22890).
 */
export const sessionPeer = (host: string, port: number, c: TlsConfig, proxy = false): string =>
  `${proxy ? 'proxy:' : ''}${host.toLowerCase()}:${port}${tlsKey(c)}`;

/**
 * Begin the handshake over the connected transport. `clearable`: the TLS
 * layer goes over a bridge so that it can be shut down and taken off again
 * (FTPS CCC, clearTls() in tls-clear.ts).
 */
export function startTls(tr: StreamTransport, host: string, port: number, c: TlsConfig,
  sessions: TlsSessionCache | null, info: (s: string) => void, alpn: readonly string[] = ['http/1.1'], proxy = false,
  clearable = false): Outcome {
  const built = buildTlsOptions(c);
  if ('code' in built) return built;
  // a peer that already spoke (or hung up) before our ClientHello is no TLS server; node:tls
  // would never report on a socket whose bytes or EOF were read before it was layered on top
  if (tr.eof || tr.error || tr.buffered > 0) {
    return { code: CURLE.SSL_CONNECT_ERROR, message: `TLS connect error: the server sent data before the TLS handshake in connection to ${host}` };
  }
  // curl 7.88's order: the ALPN offer, then the CA lines
  if (alpn.length > 0) info(`ALPN: offers ${alpn.join(',')}`);
  for (const line of built.info) info(line);
  const useCache = sessions !== null && c.sessionIdCache;
  const peer = sessionPeer(host, port, c, proxy);
  const offered = useCache ? sessions.get(peer) : undefined;
  if (offered) info('SSL re-using session ID');
  const state: HandshakeState = { sessions: useCache ? sessions : null, peer, offered, chain: null, pending: null, peerCert: null, alpnOffered: alpn.length > 0 };
  const open = (below: Duplex): TLSSocket => tlsConnect({
    ...built.options,
    ALPNProtocols: alpn.length > 0 ? [...alpn] : undefined,
    // node:tls calls it with getPeerCertificate(true) (unless the session was resumed or the chain failed)
    checkServerIdentity: (_host: string, cert: PeerCertificate) => {
      state.peerCert = cert as DetailedPeerCertificate;
      return undefined;
    },
    socket: below,
    ...(isIP(host) ? {} : { servername: host }),
    ...(offered ? { session: offered.session } : {}),
  });
  let sock: TLSSocket;
  try {
    sock = clearable ? tr.upgradeBridged(open, 'secureConnect') as TLSSocket : open(tr.socket);
  } catch (err) {
    return { code: CURLE.SSL_CONNECT_ERROR, message: `TLS connect error: ${(err as Error).message}` };
  }
  logKeys(sock);
  handshakes.set(sock, state);
  // TLS 1.2 sessions come with the handshake, TLS 1.3 tickets after it: keep the newest,
  // but only for a connection that passed the checks
  if (useCache) {
    sock.on('session', (s: Buffer) => {
      if (state.chain) sessions.set(peer, { session: s, chain: state.chain });
      else state.pending = s;
    });
  }
  if (!clearable) tr.upgrade(sock, 'secureConnect');
  return { code: 0 };
}

/**
 * SSLKEYLOGFILE: like libcurl's OpenSSL backend, append the session secrets
 * in NSS key log format so that Wireshark can decrypt the capture. A file
 * that cannot be written is ignored, as libcurl ignores it.
 */
function logKeys(sock: TLSSocket): void {
  const file = process.env['SSLKEYLOGFILE'];
  if (!file) return;
  sock.on('keylog', (line: Buffer) => {
    try {
      appendFileSync(file, line);
    } catch {
      // libcurl carries on without the key log
    }
  });
}

/** After 'secureConnect': the checks libcurl makes before the first request. */
export function finishTls(tr: StreamTransport, host: string, c: TlsConfig, info: (s: string) => void, proxy = false): ServerCertResult {
  const sock = tr.socket as TLSSocket;
  const state = handshakes.get(sock);
  // a resumed session shows no certificate: it is the one cached with the session
  const chain = sock.isSessionReused() && state?.offered ? state.offered.chain : peerChain(sock, state?.peerCert ?? null);
  if (state) state.peerCert = null;
  const r = checkServerCert(sock, host, c, chain, info, proxy, state?.alpnOffered ?? true);
  if (r.code === 0 && state) {
    state.chain = chain;
    if (state.pending && state.sessions) state.sessions.set(state.peer, { session: state.pending, chain });
    state.pending = null;
  }
  return r;
}

/** A handshake that failed before 'secureConnect'; a session offered to it is not offered again. */
export function handshakeError(err: Error, host: string, port: number, c: TlsConfig, sessions: TlsSessionCache | null): { code: number; message: string } {
  sessions?.delete(sessionPeer(host, port, c));
  return { code: CURLE.SSL_CONNECT_ERROR, message: handshakeFailure(err, host, port) };
}

/** OpenSSL's version as libcurl's OpenSSL backend names it (Node's build adds "+quic") */
const OPENSSL = `OpenSSL/${process.versions.openssl.replace(/\+.*$/, '')}`;

/**
 * The message curl 7.88's OpenSSL backend gives a failed SSL_connect
 * (ossl_connect_step2): an OpenSSL error as ossl_strerror() prints it,
 * "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number"
 * (OpenSSL 3 has no function names; Node's message still carries one, and
 * the source file); a reset as the socket filter's "Recv failure: ..."; the
 * peer hanging up as SSL_ERROR_SYSCALL, with libcurl's trailing space.
 */
export function handshakeFailure(err: Error, host: string, port: number): string {
  const ssl = /error:([0-9A-Fa-f]{8}):([^:]*):[^:]*:([^:\n]*)/.exec(err.message);
  if (ssl) return `${OPENSSL}: error:${ssl[1]!.toUpperCase()}:${ssl[2]}::${ssl[3]}`;
  if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' && (err as NodeJS.ErrnoException).syscall === 'read') return 'Recv failure: Connection reset by peer';
  return `OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to ${host}:${port} `;
}
