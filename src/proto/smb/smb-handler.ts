// The SMB protocol handlers (smb://, smbs://; libcurl 7.88's Curl_handler_smb
// and Curl_handler_smbs): SMBv1 over TCP port 445, smbs with TLS first on the
// same port. setup() takes the share and path from the URL; the work is in
// SmbRequest. A connection is logged in once and then serves the next
// transfers with the same login and share (libcurl reuses it for the same
// credentials; 7.88 also hands it to another share of the host and then
// still speaks to the first share, which this does not copy).
import { CURLE } from '../../codes.js';
import { CURLPROTO } from '../../constants.js';
import type { Connection } from '../../conn/connection.js';
import type { ConnectionFit } from '../../conn/pool.js';
import type { Transfer } from '../../multi/transfer.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest, type SetupFailure } from '../handler.js';
import { SmbRequest } from './smb-request.js';
import { parseSmbPath, SmbSession, SmbTarget, smbLoginKey } from './smb-session.js';

/** smb_setup_connection / smb_parse_url_path */
function smbSetup(t: Transfer): SetupFailure | null {
  const target = parseSmbPath(t);
  if (target === 'malformed') return { code: CURLE.URL_MALFORMAT, message: 'URL using bad/illegal format or missing URL' };
  if (target === 'no-share') return { code: CURLE.URL_MALFORMAT, message: 'missing share in URL path for SMB' };
  t.protoState = target;
  return null;
}

function targetOf(t: Transfer): SmbTarget {
  const s = t.protoState;
  if (s instanceof SmbTarget) return s;
  // setup() always runs first; a target made again is the same
  const again = parseSmbPath(t);
  return again instanceof SmbTarget ? again : new SmbTarget('', '');
}

/** Only a connection logged in with this transfer's credentials, to its share, will do. */
function smbConnectionFit(t: Transfer): (c: Connection) => ConnectionFit {
  const login = smbLoginKey(t);
  const share = targetOf(t).share;
  return (c) => (c.protoSession instanceof SmbSession && c.protoSession.serves(login, share) ? 2 : 0);
}

function smbRequest(t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest {
  return new SmbRequest(t, conn, guard, targetOf(t));
}

export const SMB_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'smb',
  defaultPort: 445,
  protocol: CURLPROTO.SMB,
  flags: 0,
  alpn: [],
  setup: smbSetup,
  connectionFit: smbConnectionFit,
  request: smbRequest,
});

export const SMBS_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'smbs',
  defaultPort: 445,
  protocol: CURLPROTO.SMBS,
  flags: PROTOPT.SSL,
  alpn: [],
  setup: smbSetup,
  connectionFit: smbConnectionFit,
  request: smbRequest,
});
