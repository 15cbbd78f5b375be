// The protocol registry: which schemes this build transfers, keyed by scheme
// (libcurl's protocols[] table and Curl_get_scheme_handler). Everything that
// lists or accepts schemes (the URL check before a transfer, redirects,
// `--version`'s Protocols line, --proto, CURLINFO_SCHEME/PROTOCOL) asks here,
// so a scheme is listed exactly when it has a handler.
import type { ProtocolHandler } from './handler.js';
import { HTTP_HANDLER, HTTPS_HANDLER } from './http-handler.js';
import { WS_HANDLER, WSS_HANDLER } from './ws-handler.js';
import { FILE_HANDLER } from './file.js';
import { SFTP_HANDLER, SCP_HANDLER } from './ssh/ssh-handler.js';
import { TFTP_HANDLER } from './tftp.js';
import { LDAP_HANDLER, LDAPS_HANDLER } from './ldap.js';
import { SMALL_PROTOCOL_HANDLERS } from './small-protocols.js';
import { SMTP_HANDLER, SMTPS_HANDLER } from './mail/smtp.js';
import { IMAP_HANDLER, IMAPS_HANDLER } from './mail/imap.js';
import { POP3_HANDLER, POP3S_HANDLER } from './mail/pop3.js';
import { FTP_HANDLER, FTPS_HANDLER } from './ftp/ftp-handler.js';
import { SMB_HANDLER, SMBS_HANDLER } from './smb/smb-handler.js';

const HANDLERS = new Map<string, ProtocolHandler>();

function register(h: ProtocolHandler): void {
  HANDLERS.set(h.scheme, h);
}
register(HTTP_HANDLER);
register(HTTPS_HANDLER);
register(WS_HANDLER);
register(WSS_HANDLER);
register(FILE_HANDLER);
register(SFTP_HANDLER);
register(SCP_HANDLER);
register(TFTP_HANDLER);
register(LDAP_HANDLER);
register(LDAPS_HANDLER);
for (const h of SMALL_PROTOCOL_HANDLERS) register(h);
register(SMTP_HANDLER);
register(SMTPS_HANDLER);
register(IMAP_HANDLER);
register(IMAPS_HANDLER);
register(POP3_HANDLER);
register(POP3S_HANDLER);
register(FTP_HANDLER);
register(FTPS_HANDLER);
register(SMB_HANDLER);
register(SMBS_HANDLER);

/** The handler of a scheme (case-insensitive), or undefined when not built in. */
export function handlerFor(scheme: string): ProtocolHandler | undefined {
  return HANDLERS.get(scheme) ?? HANDLERS.get(scheme.toLowerCase());
}

/** Every scheme with a handler, lowercase and sorted (the Protocols line of --version). */
export function supportedSchemes(): string[] {
  return [...HANDLERS.keys()].sort();
}

/** The schemes with a handler in this build. */
export const SUPPORTED_SCHEMES: ReadonlySet<string> = new Set(HANDLERS.keys());
