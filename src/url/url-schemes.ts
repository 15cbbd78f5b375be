// The schemes curl's URL parser knows (Curl_get_scheme_handler): a URL with
// any other scheme is rejected with CURLUE_UNSUPPORTED_SCHEME unless
// CURLU_NON_SUPPORT_SCHEME is set. The table only carries what the URL API
// needs: the default port and whether "user:pass;options" is parsed.

export interface SchemeInfo {
  readonly defaultPort: number;
  /** PROTOPT_URLOPTIONS: ";options" in the userinfo is split off (IMAP, POP3, SMTP). */
  readonly urlOptions: boolean;
}

const s = (defaultPort: number, urlOptions = false): SchemeInfo => ({ defaultPort, urlOptions });

// Ports as listed in URL-SYNTAX.md; file has no port (libcurl's handler says 0).
const SCHEMES: ReadonlyMap<string, SchemeInfo> = new Map([
  ['dict', s(2628)],
  ['file', s(0)],
  ['ftp', s(21)],
  ['ftps', s(990)],
  ['gopher', s(70)],
  ['gophers', s(70)],
  ['http', s(80)],
  ['https', s(443)],
  ['imap', s(143, true)],
  ['imaps', s(993, true)],
  ['ldap', s(389)],
  ['ldaps', s(636)],
  ['mqtt', s(1883)],
  ['pop3', s(110, true)],
  ['pop3s', s(995, true)],
  ['rtmp', s(1935)],
  ['rtsp', s(554)],
  ['scp', s(22)],
  ['sftp', s(22)],
  ['smb', s(445)],
  ['smbs', s(445)],
  ['smtp', s(25, true)],
  ['smtps', s(465, true)],
  ['telnet', s(23)],
  ['tftp', s(69)],
  ['ws', s(80)],
  ['wss', s(443)],
]);

/** Case-insensitive lookup, as curl's strcasecompare-based scheme table. */
export function schemeInfo(scheme: string | undefined): SchemeInfo | undefined {
  return scheme === undefined ? undefined : SCHEMES.get(scheme.toLowerCase());
}
