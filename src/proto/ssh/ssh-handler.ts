// The SFTP and SCP protocol handlers (sftp://, scp://; libcurl's
// Curl_handler_sftp and Curl_handler_scp): port 22, the SSH connection made
// through the connection's filter chain (so proxies work), the
// protocol work in SftpRequest and ScpRequest. A connection that ended a
// transfer well keeps its logged-in session (Connection.protoSession) for the
// next transfer with the same credentials, as libcurl reuses SSH connections.
import { CURLPROTO } from '../../constants.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import type { ProtocolHandler, ProtocolRequest } from '../handler.js';
import type { ConnectionFit } from '../../conn/pool.js';
import { SftpRequest } from './sftp-request.js';
import { ScpRequest } from './scp-request.js';
import { SshSession, sshLogin } from './ssh-session.js';

/**
 * An idle SSH connection serves a transfer that logs in with the same user
 * and password (libcurl's ConnectionExists for protocols without
 * PROTOPT_CREDSPERREQUEST); one without a working session serves none.
 */
function sshConnectionFit(t: Transfer): (c: Connection) => ConnectionFit {
  const login = sshLogin(t);
  return (c) => (c.protoSession instanceof SshSession && c.protoSession.loggedInAs(login) ? 2 : 0);
}

export const SFTP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'sftp',
  defaultPort: 22,
  protocol: CURLPROTO.SFTP,
  flags: 0,
  alpn: [],
  connectionFit: sshConnectionFit,
  request: (t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest => new SftpRequest(t, conn, guard),
});

export const SCP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'scp',
  defaultPort: 22,
  protocol: CURLPROTO.SCP,
  flags: 0,
  alpn: [],
  connectionFit: sshConnectionFit,
  request: (t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest => new ScpRequest(t, conn, guard),
});
