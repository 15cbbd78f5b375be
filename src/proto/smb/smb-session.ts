// What an SMB connection keeps across its transfers (libcurl's struct
// smb_conn in conn->proto.smbc): how far the connection's own exchange got
// (NEGOTIATE, then SESSION_SETUP_ANDX), the user id the server gave, and who
// logged in, so the pool hands it only to a transfer with the same login and
// share. Lives in Connection.protoSession.
import { CURLOPT } from '../../easy/option-table.js';
import type { Transfer } from '../../multi/transfer.js';
import { HostAuth } from '../../auth/host-auth.js';
import { optionCredentials } from '../redirect.js';
import { urlDecode } from '../../url/url-bytes.js';
import { CURLU, CURLUPART } from '../../url/url-codes.js';
import type { ProtocolState } from '../handler.js';

/** libcurl's smb_conn_state */
export type SmbConnState = 'connecting' | 'negotiate' | 'setup' | 'connected';

/** The user and password a transfer logs in with (USERPWD/USERNAME beat the URL's; .netrc), user null when none. */
export function smbCredentials(t: Transfer): { user: string | null; password: string } {
  const o = t.opts;
  const url = t.url!;
  const given = optionCredentials(t);
  const r = new HostAuth({
    httpAuth: 0, username: given.username, password: given.password, bearer: null,
    netrc: o.num(CURLOPT.NETRC), netrcFile: o.str(CURLOPT.NETRC_FILE), awsSigV4: null, failOnError: false,
  }).credentials(url.host, url.user, url.password);
  return { user: r.creds.user, password: r.creds.password ?? '' };
}

/** One key for the login: JSON keeps "a:b"+"c" and "a"+"b:c" apart. */
export function smbLoginKey(t: Transfer): string {
  const c = smbCredentials(t);
  return JSON.stringify([c.user, c.password]);
}

/**
 * The share and the file path of the transfer's URL (smb_parse_url_path):
 * the URL-decoded path's first segment is the share, the rest the path with
 * backslashes for slashes. Kept in the transfer's protocol slot for the
 * request and the pool's choice of connection.
 */
export class SmbTarget implements ProtocolState {
  constructor(readonly share: string, readonly path: string) {}
  retire(): void {
    // only strings
  }
}

/** The target of the transfer's URL, 'malformed' (control bytes) or 'no-share'. */
export function parseSmbPath(t: Transfer): SmbTarget | 'malformed' | 'no-share' {
  const raw = t.url!.handle.get(CURLUPART.PATH, CURLU.URLENCODE).value ?? '/';
  const path = urlDecode(raw, true);
  if (path === null) return 'malformed';
  const rest = path.startsWith('/') || path.startsWith('\\') ? path.slice(1) : path;
  let slash = rest.indexOf('/');
  if (slash < 0) slash = rest.indexOf('\\');
  if (slash < 0) return 'no-share';
  return new SmbTarget(rest.slice(0, slash), rest.slice(slash + 1).replaceAll('/', '\\'));
}

export class SmbSession {
  state: SmbConnState = 'connecting';
  uid = 0;
  /** the login (smbLoginKey) and share this connection serves */
  readonly login: string;
  readonly share: string;

  constructor(login: string, share: string) {
    this.login = login;
    this.share = share;
  }

  /** Whether the connection can serve a transfer with this login and share. */
  serves(login: string, share: string): boolean {
    return this.state === 'connected' && this.login === login && this.share === share;
  }
}

/**
 * The user name and domain of a login (smb_connect): "DOMAIN/user" or
 * "DOMAIN\user" split at the first slash, else the whole name and the host
 * as the domain.
 */
export function splitSmbUser(user: string, host: string): { user: string; domain: string } {
  let at = user.indexOf('/');
  if (at < 0) at = user.indexOf('\\');
  if (at < 0) return { user, domain: host };
  return { user: user.slice(at + 1), domain: user.slice(0, at) };
}
