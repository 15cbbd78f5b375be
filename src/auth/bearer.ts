// OAuth 2.0 bearer tokens (RFC 6750) as libcurl's http_output_bearer: the
// token is sent as given, as its UTF-8 bytes (the head is a byte string).
import { toBytes } from '../url/url-bytes.js';

export function bearerCredentials(token: string): string {
  return `Bearer ${toBytes(token)}`;
}
