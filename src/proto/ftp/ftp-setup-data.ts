// Setting up FTP's data connection (libcurl's ftp_state_use_pasv,
// ftp_state_pasv_resp, ftp_state_use_port, ftp_state_port_resp): EPSV,
// falling back to PASV when the server refuses it or its address cannot be
// reached; the 227 reply's address ignored for the control connection's
// unless FTP_SKIP_PASV_IP is off; or, with FTPPORT, a listening socket
// announced by EPRT (PORT when EPRT is refused or FTP_USE_EPRT is off).
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import type { TlsFilterParams } from '../../cf/tls-filter.js';
import { nowMs } from '../../util/clock.js';
import type { ProtocolEnv } from '../handler.js';
import type { FtpConn } from './ftp-conn.js';
import { DataConnection, type DataEnv, type DataVia } from './ftp-data.js';
import { FilterChain } from '../../cf/filter.js';
import { proxyFilters } from '../../multi/connect-chain.js';
import { firstHop } from '../../proxy/proxy-config.js';
import { ListenTransport } from './ftp-listen.js';
import { parseEpsv, parsePasv } from './ftp-replies.js';

/** What the request offers the data setup. */
export interface DataSetupHost {
  readonly transfer: Transfer;
  readonly connection: Connection;
  readonly protocolEnv: ProtocolEnv;
  readonly ftpConn: FtpConn;
  send(text: string, state: string): CURLcode;
  failWith(code: CURLcode, message: string): CURLcode;
  trace(text: string): void;
  dataTlsParams(): TlsFilterParams | null;
  setData(d: DataConnection, connecting: boolean): void;
  /** the data connection being set up, if any */
  readonly data: DataConnection | null;
  setState(state: string): void;
  /** the data connection can be used: the transfer's commands go on (TYPE ...) */
  dataReady(): CURLcode;
}

function dataEnv(h: DataSetupHost): DataEnv {
  const t = h.transfer;
  const conn = h.connection;
  // the control connection's own "Connected to" line (states-connect.ts): the first proxy, or the URL's host
  const shown = t.proxy ? firstHop(t.proxy) : { host: t.url!.host, port: conn.connectPort };
  return {
    connectedLine: `Connected to ${shown.host} (${conn.primaryIp}) port ${shown.port} (#${conn.id})`,
    shown,
    discard: (tr) => h.protocolEnv.discardTransport(tr),
    info: (text) => h.trace(text),
    // curl 7.88 counts every socket its connect filter opens, the data connection's too (not an accepted one)
    connected: () => {
      h.transfer.numConnects++;
    },
    noDelay: h.transfer.opts.num(CURLOPT.TCP_NODELAY) !== 0,
    tls: h.dataTlsParams(),
  };
}

/** EPSV (or PASV once EPSV failed on this connection; never PASV over IPv6). */
export function startPassive(h: DataSetupHost): CURLcode {
  const fc = h.ftpConn;
  const ipv6 = isIP(h.connection.primaryIp) === 6;
  if (h.transfer.opts.num(CURLOPT.FTP_USE_EPSV) === 0 && !ipv6) fc.useEpsv = false;
  if (ipv6) fc.useEpsv = true;
  const sent = fc.useEpsv ? h.send('EPSV', 'epsv') : h.send('PASV', 'pasv');
  // ftp_state_use_pasv's note, once the command went
  if (sent === CURLE.OK) h.trace('Connect data stream passively');
  return sent;
}

/** The reply to EPSV or PASV: where the data connection goes, and it starts connecting. */
export function pasvReply(h: DataSetupHost, state: string, code: number, text: string): CURLcode {
  const conn = h.connection;
  let host: string;
  let port: number;
  // through a SOCKS proxy or a CONNECT tunnel the data connection is tunneled too, to the URL's host
  // (libcurl's control_address); the socket itself goes to the proxy, as the control connection's did
  const t = h.transfer;
  const proxied = t.proxy !== null && (t.proxy.socks !== null || (t.proxy.http !== null && t.proxy.tunnel));
  const control = proxied ? conn.host : conn.primaryIp;
  if (state === 'epsv' && code === 229) {
    const p = parseEpsv(text);
    if (p === null || p === 'bad') return h.failWith(CURLE.FTP_WEIRD_PASV_REPLY, 'Weirdly formatted EPSV reply');
    host = control;
    port = p;
  } else if (state === 'pasv' && code === 227) {
    const p = parsePasv(text);
    if (p === null) return h.failWith(CURLE.FTP_WEIRD_227_FORMAT, "Couldn't interpret the 227-response");
    if (h.transfer.opts.num(CURLOPT.FTP_SKIP_PASV_IP) !== 0) {
      h.trace(`Skip ${p.host} for data connection, re-use ${control} instead`);
      host = control;
    } else host = p.host;
    port = p.port;
  } else if (state === 'epsv') {
    // the server does not do EPSV: PASV, and not EPSV again on this connection
    h.ftpConn.useEpsv = false;
    h.trace('Failed EPSV attempt. Disabling EPSV');
    return h.send('PASV', 'pasv');
  } else {
    return h.failWith(CURLE.FTP_WEIRD_PASV_REPLY, `Bad PASV/EPSV response: ${String(code).padStart(3, '0')}`);
  }
  if (port === 0) return h.failWith(CURLE.FTP_WEIRD_PASV_REPLY, 'Weirdly formatted EPSV reply');
  const family = isIP(host) === 6 ? 6 : 4;
  let via: DataVia | null = null;
  if (proxied) {
    const hop = { address: conn.primaryIp, family: isIP(conn.primaryIp) === 6 ? 6 as const : 4 as const };
    // CONNECT_TO's host wins over the data connection's, as in libcurl's SOCKS and CONNECT filters
    const target = conn.route.connectHost ?? host;
    const to = { host: target, port, ipv6: isIP(target) === 6 };
    via = { firstHop: hop, firstHopPort: conn.primaryPort, chain: (tr) => new FilterChain(proxyFilters(h.protocolEnv, t, tr, to)) };
    h.trace(`Connecting to ${host} (${hop.address}) port ${conn.primaryPort}`);
  } else h.trace(`Connecting to ${host} (${host}) port ${port}`);
  const d = DataConnection.connect(dataEnv(h), host, family, port, nowMs(), via);
  h.setData(d, true);
  // remembered for an EPSV connect that fails: PASV then
  h.setState(state === 'epsv' ? 'epsv-connect' : 'pasv-connect');
  return CURLE.OK;
}

/** FTPPORT's "[address][:port[-port]]": what to listen on ("-": the control connection's local address). */
export function parseFtpPort(spec: string, localIp: string): { address: string; from: number; to: number } {
  let addr = spec;
  let ports = '';
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(spec);
  if (v6) {
    addr = v6[1]!;
    ports = v6[2] ?? '';
  } else if (isIP(spec) !== 6) {
    const colon = spec.indexOf(':');
    if (colon >= 0) {
      addr = spec.slice(0, colon);
      ports = spec.slice(colon + 1);
    }
  }
  let from = 0;
  let to = 0;
  const m = /^(\d+)(?:-(\d+))?$/.exec(ports);
  if (m) {
    from = Number(m[1]);
    to = m[2] !== undefined ? Number(m[2]) : from;
    if (to < from || to > 65535) to = from;
  }
  let address = localIp;
  if (addr !== '' && addr !== '-') {
    if (isIP(addr)) address = addr;
    else {
      // an interface name: its address of the control connection's family
      const family = isIP(localIp) === 6 ? 'IPv6' : 'IPv4';
      const found = networkInterfaces()[addr]?.find((i) => i.family === family);
      if (found) address = found.address;
    }
  }
  return { address, from, to };
}

/** PORT/EPRT: listen; the command goes once the socket is bound (bindDone). */
export function startActive(h: DataSetupHost): CURLcode {
  const conn = h.connection;
  const spec = h.transfer.opts.str(CURLOPT.FTPPORT) ?? '-';
  const where = parseFtpPort(spec, conn.localIp);
  const l = new ListenTransport(where.address, where.from, where.to);
  h.setData(DataConnection.listen(dataEnv(h), l), false);
  h.setState('binding');
  return CURLE.OK;
}

/** While 'binding': the listening socket settled? Then EPRT/PORT. */
export function bindStep(h: DataSetupHost): CURLcode | null {
  const l = h.data?.listener ?? null;
  if (l === null) return h.failWith(CURLE.FTP_PORT_FAILED, 'Failed to do PORT');
  if (!l.bound && !l.error) return null;
  l.takeBoundNews();
  const local = h.connection.localIp;
  if (!l.bound && (l.error as NodeJS.ErrnoException | null)?.code === 'EADDRNOTAVAIL' && l.address !== local) {
    // FTPPORT names an address that is not ours: listen on the control connection's, announce the one asked for
    h.trace(`bind(port=0) on non-local address failed: ${l.error!.message}`);
    h.data?.close();
    const again = new ListenTransport(local, 0, 0);
    again.announce = l.announce;
    h.setData(DataConnection.listen(dataEnv(h), again), false);
    return null;
  }
  if (!l.bound) return h.failWith(CURLE.FTP_PORT_FAILED, `bind failed: ${l.error!.message}`);
  return sendPort(h, l, h.ftpConn.useEprt && h.transfer.opts.num(CURLOPT.FTP_USE_EPRT) !== 0);
}

function sendPort(h: DataSetupHost, l: ListenTransport, eprt: boolean): CURLcode {
  const v6 = isIP(l.announce) === 6;
  if (eprt || v6) return h.send(`EPRT |${v6 ? 2 : 1}|${l.announce}|${l.port}|`, 'eprt');
  const a = l.announce.split('.').join(',');
  return h.send(`PORT ${a},${l.port >> 8},${l.port & 0xff}`, 'port');
}

/** The reply to EPRT or PORT. */
export function activeReply(h: DataSetupHost, state: string, code: number): CURLcode {
  if (Math.floor(code / 100) === 2) {
    h.trace('Connect data stream actively');
    return h.dataReady();
  }
  const l = h.data?.listener ?? null;
  const d = h.data;
  const host = l ? l.announce : d?.host ?? '';
  if (state === 'eprt' && d !== null && isIP(host) === 4) {
    h.ftpConn.useEprt = false;
    h.trace('disabling EPRT usage');
    // the listening socket's port (the DataConnection was made before its bind settled)
    const port = l ? l.port : d.port;
    const a = host.split('.').join(',');
    return h.send(`PORT ${a},${port >> 8},${port & 0xff}`, 'port');
  }
  return h.failWith(CURLE.FTP_PORT_FAILED, 'Failed to do PORT');
}
