// NTLM and the connections it authenticates, on the transfer's side (libcurl's
// http_ntlm.c and the NTLM parts of ConnectionExists and create_conn); the
// messages and the handshake state are in src/auth/ntlm.ts.
//
// Which idle connection an HTTP transfer may take: a connection in the middle
// of an NTLM handshake, or authenticated by one, belongs to the credentials
// that did it. A transfer that wants NTLM with those credentials must take
// that very connection (the handshake continues there); one with other
// credentials, or without NTLM, must not take it. Connections no NTLM
// handshake touched suit everybody. A brand-new connection starts over: a
// handshake that was done belonged to another connection. And a connection
// that closes right after the challenge ends the negotiation.
import type { Connection } from '../conn/connection.js';
import type { ConnectionFit } from '../conn/pool.js';
import type { Transfer } from '../multi/transfer.js';
import { CURLAUTH } from '../auth/curlauth.js';
import { NTLMSTATE } from '../auth/ntlm.js';
import { hostAuthOf, proxyAuthOf } from './http-auth.js';
import { httpState, peekHttpState } from './http-state.js';

/** Any connection no NTLM handshake touched: the common case, answered at once for the newest. */
function withoutNtlm(c: Connection): ConnectionFit {
  return (c.httpNtlm === null || c.httpNtlm.state === NTLMSTATE.NONE) && (c.proxyNtlm === null || c.proxyNtlm.state === NTLMSTATE.NONE) ? 2 : 0;
}

/** The HTTP handlers' connectionFit(): the pool's rating of idle connections for this transfer's next request. */
export function ntlmConnectionFit(t: Transfer): (c: Connection) => ConnectionFit {
  const url = t.url!;
  const host = hostAuthOf(t, httpState(t));
  const wantHost = (host.want & CURLAUTH.NTLM) !== 0;
  const proxy = proxyAuthOf(t);
  // the proxy's credentials are part of the pool key: connections of one key share them
  const wantProxy = proxy !== null && t.proxy!.http!.user !== null && (proxy.want & CURLAUTH.NTLM) !== 0;
  if (!wantHost && !wantProxy) return withoutNtlm;
  const creds = host.credentials(url.host, url.user, url.password).creds;
  const user = creds.user ?? '';
  const password = creds.password ?? '';
  return (c) => {
    const h = c.httpNtlm;
    const hostBusy = h !== null && h.state !== NTLMSTATE.NONE;
    const proxyBusy = c.proxyNtlm !== null && c.proxyNtlm.state !== NTLMSTATE.NONE;
    if (wantHost) {
      // another user's handshake: never
      if (hostBusy && (h.user !== user || h.password !== password)) return 0;
    } else if (hostBusy) return 0;
    if (!wantProxy && proxyBusy) return 0;
    // the handshake under way (or done) on this connection is ours: continue it here
    if ((wantHost && hostBusy) || (wantProxy && proxyBusy)) return 2;
    return 1;
  };
}

/**
 * The HTTP handlers' newConnection(): an NTLM handshake that was done
 * belonged to the previous connection, so the scheme is picked again
 * (libcurl's create_conn: "NTLM picked AND auth done set, clear picked").
 */
export function ntlmNewConnection(t: Transfer, info: (text: string) => void): void {
  const line = peekHttpState(t)?.auth?.freshConnection();
  if (line) info(line);
  const pline = t.proxyAuth?.freshConnection();
  if (pline) info(pline);
}

/**
 * The response head that brought a type-2 challenge ended, and the connection
 * closes after this response (HTTP/1.0, Connection: close): the type-3 would
 * have to go over a new connection, where it means nothing. libcurl gives up
 * the negotiation (an authentication problem: this response is the result).
 * Returns the verbose line, or null when the handshake is not cut.
 */
export function ntlmHandshakeCut(t: Transfer, conn: Connection, code: number, viaProxy: boolean): string | null {
  const cut = (code === 401 && conn.httpNtlm?.state === NTLMSTATE.TYPE2) ||
    (code === 407 && viaProxy && conn.proxyNtlm?.state === NTLMSTATE.TYPE2);
  if (!cut) return null;
  // libcurl's authproblem is one flag for the server and the proxy
  const host = peekHttpState(t)?.auth;
  if (host) host.problem = true;
  if (t.proxyAuth) t.proxyAuth.problem = true;
  return 'Connection closure while negotiating auth (HTTP 1.0?)';
}
