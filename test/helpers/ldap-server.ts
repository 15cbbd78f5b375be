// A raw LDAP server for the tests (test/security/ldap-hostile and
// ldap-null-dn): BER written by hand, the bind answered, the search's socket
// (and the request's bytes, as they came) handed to the test, which answers
// with the entries it wants, well formed or not.
import { createServer, type Socket } from 'node:net';
import { tlv, integer, octets, sequence } from '../../src/proto/ldap-ber.js';

export const BIND_OK = sequence(integer(1), tlv(0x61, integer(0, 0x0a), octets(''), octets('')));
export const entry = (id: number, dn: string, attr: string, value: string): Buffer =>
  sequence(integer(id), tlv(0x64, octets(dn), sequence(sequence(octets(attr), tlv(0x31, octets(value))))));
export const DONE = (id: number): Buffer => sequence(integer(id), tlv(0x65, integer(0, 0x0a), octets(''), octets('')));

/** A server that answers the bind (unless told otherwise) and hands the search's socket and request to `onSearch`. */
export async function ldapServer(onSearch: (s: Socket, request: Buffer) => void, onBind?: (s: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    let n = 0;
    s.on('data', (d: Buffer) => {
      n++;
      if (n === 1) {
        if (onBind) onBind(s);
        else s.write(BIND_OK);
      } else if (n === 2) onSearch(s, d);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (srv.address() as { port: number }).port,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      srv.close(() => resolve());
    }),
  };
}
