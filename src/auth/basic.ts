// HTTP Basic (RFC 7617) as libcurl's http_output_basic: "user:password" in
// base64, a missing part counting as empty. Credentials are UTF-8 encoded,
// which is what curl sends for a UTF-8 command line (bytes a config file
// had that are not UTF-8 stay those bytes: src/url/url-bytes.ts).
import { textToBuffer } from '../url/url-bytes.js';

export function basicCredentials(user: string | null, password: string | null): string {
  return 'Basic ' + textToBuffer(`${user ?? ''}:${password ?? ''}`).toString('base64');
}
