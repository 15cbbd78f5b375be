// Loopback port helpers for the tests that start a real server (nginx,
// vsftpd, dovecot, sshd, slapd, mosquitto, curl's test servers).
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago (the server started next binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Something accepts connections on 127.0.0.1:port (a started server is ready). */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * A port on 127.0.0.1 where a connection is refused, and stays refused while the test runs.
 * freePort()'s port comes from the kernel's ephemeral range, so in the seconds a test waits
 * (a --retry delay) a server another test starts on port 0 can take it, and the "refused"
 * connection reaches that server instead (a CI run got exit 1, HTTP/0.9, for 7). Ports below
 * the ephemeral range are never handed out for port 0, and no test binds a fixed one.
 */
export async function refusedPort(): Promise<number> {
  const low = ephemeralLow();
  for (let tries = 0; tries < 50; tries++) {
    const port = 10000 + Math.floor(Math.random() * (low - 10000));
    if (!(await canConnect(port))) return port;
  }
  throw new Error('no refused port below the ephemeral range');
}

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'latin1').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 11000) return low;
  } catch {
    // not Linux: the IANA dynamic range starts at 49152
  }
  return 32768;
}
