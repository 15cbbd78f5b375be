// A tiny UDP DNS server on 127.0.0.1 for resolver tests, so no test ever asks
// the machine's real resolver: it answers A/AAAA queries from a fixed table
// and NXDOMAIN for every other name.
import { createSocket } from 'node:dgram';

export interface DnsServer {
  address: string; // "127.0.0.1:PORT" for CURLOPT_DNS_SERVERS
  queries: string[];
  close(): Promise<void>;
}

function readName(msg: Buffer, off: number): { name: string; end: number } {
  const labels: string[] = [];
  while (off < msg.length && msg[off]! > 0) {
    const len = msg[off]!;
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  return { name: labels.join('.'), end: off + 1 };
}

export async function startDnsServer(table: Record<string, { a?: string[]; aaaa?: string[] }>): Promise<DnsServer> {
  const sock = createSocket('udp4');
  const queries: string[] = [];
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const { name, end } = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    queries.push(`${name}/${qtype === 28 ? 'AAAA' : qtype === 1 ? 'A' : qtype}`);
    const question = msg.subarray(12, end + 4);
    const entry = table[name.toLowerCase()];
    const answers: Buffer[] = [];
    const list = qtype === 1 ? entry?.a : qtype === 28 ? entry?.aaaa : undefined;
    for (const ip of list ?? []) {
      const rdata = qtype === 1
        ? Buffer.from(ip.split('.').map(Number))
        : Buffer.from(ip === '::1' ? [...Array(15).fill(0), 1] : Array(16).fill(0));
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(rdata.length, 10);
      answers.push(rr, rdata);
    }
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0);
    header.writeUInt16BE(entry ? 0x8180 : 0x8183, 2); // response, RD, RA; rcode 3 = NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(list ? list.length : 0, 6);
    sock.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${sock.address().port}`,
    queries,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
