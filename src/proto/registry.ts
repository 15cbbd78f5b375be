// The protocol registry: which schemes this build transfers, keyed by scheme
// (libcurl's protocols[] table and Curl_get_scheme_handler). Everything that
// lists or accepts schemes (the URL check before a transfer, redirects,
// `--version`'s Protocols line, --proto, CURLINFO_SCHEME/PROTOCOL) asks here,
// so a scheme is listed exactly when it has a handler.
import type { ProtocolHandler } from './handler.js';
import { HTTP_HANDLER, HTTPS_HANDLER } from './http-handler.js';
import { WS_HANDLER, WSS_HANDLER } from './ws-handler.js';
import { FILE_HANDLER } from './file.js';
import { TFTP_HANDLER } from './tftp.js';
import { LDAP_HANDLER, LDAPS_HANDLER } from './ldap.js';
import { SMALL_PROTOCOL_HANDLERS } from './small-protocols.js';

const HANDLERS = new Map<string, ProtocolHandler>();

function register(h: ProtocolHandler): void {
  HANDLERS.set(h.scheme, h);
}
register(HTTP_HANDLER);
register(HTTPS_HANDLER);
register(WS_HANDLER);
register(WSS_HANDLER);
register(FILE_HANDLER);
register(TFTP_HANDLER);
register(LDAP_HANDLER);
register(LDAPS_HANDLER);
for (const h of SMALL_PROTOCOL_HANDLERS) register(h);

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
