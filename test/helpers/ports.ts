// Loopback port helpers for the tests that start a real server (nginx,
// vsftpd, dovecot, sshd, slapd, mosquitto, curl's test servers).
//
// Why ports below the ephemeral range: the kernel hands out ports of its
// ephemeral range (32768-60999 on Linux) to every listen(0) and to the local
// end of every outgoing connection. A port that was free a moment ago in that
// range can be taken before the server meant for it binds it, or, for a port
// meant to refuse connections, while a test waits (a --retry delay; a CI run
// got exit 1, another test's server answering, for 7). Below the range only
// these helpers hand ports out, at random, and each checks the port is free.
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** A port on 127.0.0.1 below the ephemeral range that nothing listens on (the server started next binds it). */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (let tries = 0; tries < 50; tries++) {
    const port = 10000 + Math.floor(Math.random() * (low - 10000));
    if (await canListen(port)) return port;
  }
  throw new Error('no free port below the ephemeral range');
}

/**
 * A port on 127.0.0.1 where a connection is refused, and stays refused while
 * the test runs: freePort()'s, which no listen(0) in this or another test can take.
 */
export function refusedPort(): Promise<number> {
  return freePort();
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

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
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
