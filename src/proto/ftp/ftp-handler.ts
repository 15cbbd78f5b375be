// The FTP and FTPS protocol handlers (libcurl's Curl_handler_ftp and
// Curl_handler_ftps): ftp:// on port 21, ftps:// (implicit TLS from the
// first byte) on port 990. Explicit FTPS is ftp:// with USE_SSL (AUTH TLS).
// A pooled control connection serves a later transfer only when that one
// logs in with the same user and password (libcurl's ConnectionExists
// checks the credentials of FTP connections).
import { CURLPROTO } from '../../constants.js';
import type { Connection } from '../../conn/connection.js';
import type { ConnectionFit } from '../../conn/pool.js';
import type { Transfer } from '../../multi/transfer.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from '../handler.js';
import { ftpConnIfAny } from './ftp-conn.js';
import { ftpLoginKey, cccWanted } from './ftp-control.js';
import { FtpRequest } from './ftp-request.js';
import { HttpExchange } from '../http.js';
import { CURLOPT } from '../../easy/option-table.js';
import { FtpWildcard, ftpWildcardOf } from './ftp-wildcard.js';

/** setup_connection: a WILDCARDMATCH transfer gets its wildcard state (libcurl's Curl_wildcard_init). */
function ftpSetup(t: Transfer): null {
  if (t.opts.num(CURLOPT.WILDCARDMATCH) !== 0) t.protoState = new FtpWildcard();
  return null;
}

/** Another file of a wildcard transfer is due (its LIST ran: a forwarding proxy never gets that far). */
function ftpNextRequest(t: Transfer): boolean {
  const wc = ftpWildcardOf(t);
  return wc !== null && wc.state !== 'init' && wc.more;
}

/**
 * Through a forwarding HTTP proxy the transfer is an HTTP GET of the ftp://
 * URL (libcurl switches the handler to HTTP for it); otherwise FTP.
 */
const ftpRequest: ProtocolHandler['request'] = (t, conn, env): ProtocolRequest =>
  conn.forwardingProxy ? new HttpExchange(t, conn, env) : new FtpRequest(t, conn, env);

/** Only a connection logged in as this transfer's user, the same way (ftpLoginKey), will do. */
function ftpConnectionFit(t: Transfer): (c: Connection) => ConnectionFit {
  const want = ftpLoginKey(t);
  return (c) => {
    // a connection to a forwarding HTTP proxy carries HTTP requests for any login
    if (c.forwardingProxy) return 1;
    const fc = ftpConnIfAny(c);
    if (!fc || !fc.loggedIn || !fc.ctlValid) return 0;
    return fc.loginKey === want ? 2 : 0;
  };
}

export const FTP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'ftp',
  defaultPort: 21,
  protocol: CURLPROTO.FTP,
  flags: 0,
  alpn: [],
  request: ftpRequest,
  connectionFit: ftpConnectionFit,
  setup: ftpSetup,
  nextRequest: ftpNextRequest,
});

export const FTPS_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'ftps',
  defaultPort: 990,
  protocol: CURLPROTO.FTPS,
  flags: PROTOPT.SSL,
  alpn: [],
  // FTP_SSL_CCC clears the control connection after the login: its TLS must come off again
  tlsClearable: cccWanted,
  request: ftpRequest,
  connectionFit: ftpConnectionFit,
  setup: ftpSetup,
  nextRequest: ftpNextRequest,
});
