// What FTP keeps per control connection (libcurl's struct ftp_conn), across
// the transfers that reuse it: the pingpong exchange, who logged in, the
// login directory (CURLINFO_FTP_ENTRY_PATH), the directory the last transfer
// went to (a reuse with the same path sends no CWD), the TYPE in effect,
// whether EPSV / EPRT still get tried, whether the data connections speak
// TLS (PROT P), and whether the control connection is in a state where a
// QUIT makes sense when it is closed.
import type { Connection } from '../../conn/connection.js';
import type { PingPong } from '../pingpong.js';

export class FtpConn {
  pp: PingPong | null = null;
  /** the login finished (USER/PASS/ACCT, PWD): the next transfer starts at its commands */
  loggedIn = false;
  /** the credentials the login used: a transfer with other ones needs another connection */
  user = '';
  password = '';
  account: string | null = null;
  /** everything that decides who the server takes the connection for (ftpLoginKey) */
  loginKey = '';
  /** the directory after login, from PWD's 257 reply (null: the server did not say) */
  entryPath: string | null = null;
  /** the decoded directory path the last transfer CWD'd into, null: unknown (a failed CWD) */
  prevPath: string | null = '';
  /** the TYPE the server is in ('A', 'I'), null before any TYPE */
  transferType: string | null = null;
  /** EPSV / EPRT failed once on this connection: PASV / PORT from now on (libcurl's bits.ftp_use_epsv) */
  useEpsv = true;
  useEprt = true;
  /** the data connections speak TLS (PROT P was accepted) */
  dataTls = false;
  /** the control connection speaks TLS (AUTH TLS, or implicit ftps://) */
  controlTls = false;
  /** a QUIT can be sent when the connection is closed (libcurl's ctl_valid) */
  ctlValid = true;
}

const byConnection = new WeakMap<Connection, FtpConn>();

/** The FTP state of a connection, made on its first FTP request; the QUIT is sent when it closes. */
export function ftpConnOf(conn: Connection): FtpConn {
  let c = byConnection.get(conn);
  if (c === undefined) {
    const made = new FtpConn();
    c = made;
    byConnection.set(conn, made);
    conn.farewell = () => quit(made);
  }
  return c;
}

/** The FTP state of a connection when it has one. */
export function ftpConnIfAny(conn: Connection): FtpConn | undefined {
  return byConnection.get(conn);
}

/**
 * libcurl's ftp_disconnect -> ftp_quit: say QUIT on a control connection
 * that is still in step. libcurl then waits for the answer (blocking, up to
 * the response timeout); here the socket stays, read, until the answer or
 * the server's close comes, or that timeout (StreamTransport.lingerOnClose()):
 * the answer itself changes nothing.
 */
function quit(c: FtpConn): void {
  const pp = c.pp;
  if (!pp || !c.loggedIn || !c.ctlValid) return;
  c.ctlValid = false;
  const tr = pp.transport;
  if (tr.closed || tr.eof || tr.error) return;
  pp.send('QUIT', 0);
  tr.flushHeld();
  tr.lingerOnClose(pp.responseTimeoutMs);
}

/** CURLINFO_FTP_ENTRY_PATH: the entry path of the handle's most recent FTP connection (libcurl's most_recent_ftp_entrypath). */
const entryPaths = new WeakMap<object, string>();

export function setFtpEntryPath(easy: object, path: string): void {
  entryPaths.set(easy, path);
}

export function ftpEntryPath(easy: object): string | null {
  return entryPaths.get(easy) ?? null;
}
