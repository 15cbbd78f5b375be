// The SFTP and SCP protocol handlers (sftp://, scp://; libcurl's
// Curl_handler_sftp and Curl_handler_scp): port 22, one SSH connection per
// transfer through the connection's filter chain (so proxies work), the
// protocol work in SftpRequest and ScpRequest.
import { CURLPROTO } from '../../constants.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from '../handler.js';
import { SftpRequest } from './sftp-request.js';
import { ScpRequest } from './scp-request.js';

export const SFTP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'sftp',
  defaultPort: 22,
  protocol: CURLPROTO.SFTP,
  // libcurl keeps an SSH connection for the next transfer; this one does not (yet)
  flags: PROTOPT.NOREUSE,
  alpn: [],
  request: (t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest => new SftpRequest(t, conn, guard),
});

export const SCP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'scp',
  defaultPort: 22,
  protocol: CURLPROTO.SCP,
  flags: PROTOPT.NOREUSE,
  alpn: [],
  request: (t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest => new ScpRequest(t, conn, guard),
});
