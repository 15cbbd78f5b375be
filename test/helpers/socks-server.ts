// A small SOCKS4/4a/5 server for tests, in node:net. It records what each
// client asked for (version, address type, host or address, port, user id,
// username/password) and connects the client to 127.0.0.1 at the requested
// port whatever host was named, so tests never leave the machine. It can
// demand SOCKS5 username/password authentication and refuse requests with a
// given reply code. Loopback only.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface SocksRequest {
  version: 4 | 5;
  /** SOCKS5 ATYP (1 IPv4, 3 name, 4 IPv6); for SOCKS4: 1, or 3 for 4a */
  addressType: number;
  /** the address or name the client asked for */
  host: string;
  port: number;
  /** SOCKS4 user id */
  userId?: string;
  /** SOCKS5 methods offered in the greeting */
  methods?: number[];
  /** SOCKS5 username/password sent */
  auth?: { user: string; password: string };
}

export interface SocksOptions {
  /** SOCKS5: require username/password; the login must match */
  login?: { user: string; password: string };
  /** answer requests with this reply code instead of success (SOCKS4 91.., SOCKS5 1..) */
  refuse?: number;
}

export interface SocksServer {
  port: number;
  requests: SocksRequest[];
  close(): Promise<void>;
}

export async function startSocksServer(o: SocksOptions = {}): Promise<SocksServer> {
  const requests: SocksRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    let phase = 'greeting' as 'greeting' | 'auth' | 'request' | 'tunnel';
    const tunneling = (): boolean => phase === 'tunnel';
    let req: Partial<SocksRequest> = {};
    const tunnelTo = (port: number, ok: Buffer): void => {
      phase = 'tunnel';
      const up = connect({ host: '127.0.0.1', port });
      up.on('error', () => sock.destroy());
      up.on('connect', () => {
        sock.write(ok);
        if (buf.length) up.write(buf);
        buf = Buffer.alloc(0);
      });
      up.on('data', (d: Buffer) => sock.write(d));
      up.on('end', () => sock.end());
      sock.on('data', (d: Buffer) => up.write(d));
      sock.on('close', () => up.destroy());
    };
    const onData = (d: Buffer): void => {
      if (phase === 'tunnel') return;
      buf = Buffer.concat([buf, d]);
      // bounded: each pass consumes a message or waits
      for (let pass = 0; pass < 4 && !tunneling(); pass++) {
        if (phase === 'greeting') {
          if (buf.length < 2) return;
          if (buf[0] === 4) {
            // VN CD PORT(2) IP(4) USERID\0 [HOST\0]
            const userEnd = buf.indexOf(0, 8);
            if (userEnd < 0) return;
            const ip = [...buf.subarray(4, 8)];
            const is4a = ip[0] === 0 && ip[1] === 0 && ip[2] === 0 && ip[3] !== 0;
            let host = ip.join('.');
            let end = userEnd + 1;
            if (is4a) {
              const hostEnd = buf.indexOf(0, end);
              if (hostEnd < 0) return;
              host = buf.subarray(end, hostEnd).toString('latin1');
              end = hostEnd + 1;
            }
            const r: SocksRequest = { version: 4, addressType: is4a ? 3 : 1, host, port: buf.readUInt16BE(2), userId: buf.subarray(8, userEnd).toString('latin1') };
            requests.push(r);
            buf = buf.subarray(end);
            if (o.refuse) {
              sock.end(Buffer.from([0, o.refuse, 0, 0, 0, 0, 0, 0]));
              return;
            }
            tunnelTo(r.port, Buffer.from([0, 90, 0, 0, 0, 0, 0, 0]));
            return;
          }
          const n = buf[1]!;
          if (buf.length < 2 + n) return;
          req = { version: 5, methods: [...buf.subarray(2, 2 + n)] };
          buf = buf.subarray(2 + n);
          if (o.login) {
            if (!req.methods!.includes(2)) {
              sock.end(Buffer.from([5, 0xff]));
              return;
            }
            sock.write(Buffer.from([5, 2]));
            phase = 'auth';
          } else {
            sock.write(Buffer.from([5, 0]));
            phase = 'request';
          }
        } else if (phase === 'auth') {
          if (buf.length < 2) return;
          const ul = buf[1]!;
          if (buf.length < 3 + ul) return;
          const pl = buf[2 + ul]!;
          if (buf.length < 3 + ul + pl) return;
          const user = buf.subarray(2, 2 + ul).toString('latin1');
          const password = buf.subarray(3 + ul, 3 + ul + pl).toString('latin1');
          req.auth = { user, password };
          buf = buf.subarray(3 + ul + pl);
          if (user !== o.login!.user || password !== o.login!.password) {
            requests.push(req as SocksRequest);
            sock.end(Buffer.from([1, 1]));
            return;
          }
          sock.write(Buffer.from([1, 0]));
          phase = 'request';
        } else if (phase === 'request') {
          if (buf.length < 5) return;
          const atyp = buf[3]!;
          const len = atyp === 1 ? 10 : atyp === 4 ? 22 : 7 + buf[4]!;
          if (buf.length < len) return;
          let host: string;
          if (atyp === 1) host = [...buf.subarray(4, 8)].join('.');
          else if (atyp === 4) host = [...Array(8).keys()].map((i) => buf.readUInt16BE(4 + i * 2).toString(16)).join(':');
          else host = buf.subarray(5, 5 + buf[4]!).toString('latin1');
          const r = { ...req, addressType: atyp, host, port: buf.readUInt16BE(len - 2) } as SocksRequest;
          requests.push(r);
          buf = buf.subarray(len);
          const reply = (code: number): Buffer => Buffer.from([5, code, 0, 1, 127, 0, 0, 1, 0, 0]);
          if (o.refuse) {
            sock.end(reply(o.refuse));
            return;
          }
          tunnelTo(r.port, reply(0));
          return;
        }
      }
    };
    sock.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
