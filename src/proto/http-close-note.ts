// Why the connection closes after the final response, in curl 7.88's words,
// said at the end of its head before the blank line is traced: an NTLM
// handshake the server cut short (src/proto/http-ntlm.ts), or an HTTP/1.1
// response whose body can only end with the connection ("no chunk, no
// close, no size").
import type { Connection } from '../conn/connection.js';
import type { ResponseParser } from '../http1/response-parser.js';
import type { Transfer } from '../multi/transfer.js';
import { ntlmHandshakeCut } from './http-ntlm.js';

export function closeNote(t: Transfer, conn: Connection, parser: ResponseParser): string | null {
  if (!parser.closesAfterResponse) return null;
  const f = parser.framing;
  if (f.kind === 'close' && f.noEndIndicator === true) return 'no chunk, no close, no size. Assume close to signal end';
  return ntlmHandshakeCut(t, conn, t.responseCode, conn.forwardingProxy);
}
