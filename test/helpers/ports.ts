// Loopback port helpers for the tests that start a real server (nginx,
// vsftpd, dovecot, sshd, slapd, mosquitto, curl's test servers).
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
