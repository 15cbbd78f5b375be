// curl_easy_getinfo: the facts of the current or last transfer, by info id,
// in libcurl's units (seconds as doubles for *_TIME, microseconds for *_TIME_T).
import { CURLINFO, type InfoTypeClassById } from './info-table.js';
import { rtspCSeqRecv } from '../proto/rtsp-state.js';
import { CURLOPT } from './option-table.js';
import type { Transfer } from '../multi/transfer.js';
import { peekHttpState } from '../proto/http-state.js';
import { ftpEntryPath } from '../proto/ftp/ftp-conn.js';
import { nowMs } from '../util/clock.js';
import { CURLPROTO } from '../constants.js';
import { TLSSocket } from 'node:tls';
import { existsSync } from 'node:fs';
import { DEFAULT_CA_BUNDLE } from '../vtls/tls-options.js';
import { sslEngineExists } from '../vtls/ssl-engine.js';

export type InfoId = keyof InfoTypeClassById;
interface ValueByClass {
  STRING: string | null;
  LONG: number;
  DOUBLE: number;
  OFF_T: number;
  SLIST: string[];
  SOCKET: number;
  PTR: unknown;
}
export type InfoValue<K extends InfoId> = K extends typeof CURLINFO.PRIVATE ? unknown
  : K extends typeof CURLINFO.CERTINFO ? CurlCertinfo
  : K extends typeof CURLINFO.TLS_SSL_PTR ? CurlTlsSessionInfo
  : ValueByClass[InfoTypeClassById[K]];

/** curl_sslbackend: which TLS library a CURLINFO_TLS_SSL_PTR answer is from. */
export const CURLSSLBACKEND = {
  NONE: 0, OPENSSL: 1, GNUTLS: 2, NSS: 3, GSKIT: 5, WOLFSSL: 7, SCHANNEL: 8, SECURETRANSPORT: 9,
  MBEDTLS: 11, BEARSSL: 13, RUSTLS: 14,
} as const;

/**
 * CURLINFO_TLS_SSL_PTR's struct curl_tlssessioninfo. libcurl's OpenSSL
 * backend hands out its SSL*; here the OpenSSL session is Node's: the
 * connection's TLSSocket (null when the transfer's connection has no TLS
 * to its origin). Read it, do not read from or write to it.
 */
export interface CurlTlsSessionInfo {
  backend: number;
  internals: TLSSocket | null;
}

/**
 * CURLINFO_SSL_ENGINES: the engines OpenSSL can have built in, each one
 * asked for (Node cannot walk OpenSSL's engine list as libcurl does).
 */
const OPENSSL_ENGINE_IDS = ['afalg', 'capi', 'devcrypto', 'dynamic', 'padlock', 'rdrand'];
export function sslEngines(): string[] {
  return OPENSSL_ENGINE_IDS.filter((id) => sslEngineExists(id));
}

/** A non-HTTP URL (FTP) carried as an HTTP request by a forwarding proxy. */
function viaHttpProxy(t: Transfer): boolean {
  return t.conn?.forwardingProxy === true && (t.handler!.protocol & (CURLPROTO.HTTP | CURLPROTO.HTTPS)) === 0;
}

/** Seconds since the transfer started until a timing mark (0 when not reached). */
function since(t: Transfer, mark: number): number {
  return mark > 0 && t.timing.start > 0 ? Math.max(0, mark - t.timing.start) / 1000 : 0;
}
const us = (s: number): number => Math.round(s * 1e6);

function totalSeconds(t: Transfer): number {
  if (t.timing.start === 0) return 0;
  const end = t.timing.total || nowMs();
  return Math.max(0, end - t.timing.start) / 1000;
}

const HTTP_VERSION_INFO: Record<number, number> = { 9: 1, 10: 1, 11: 2, 20: 3, 30: 30 };

/** CURLINFO_CERTINFO's struct curl_certinfo: one list of "name:value" strings per certificate. */
export interface CurlCertinfo {
  numOfCerts: number;
  certinfo: string[][];
}

function certinfoOf(lists: string[][] | null): CurlCertinfo {
  return { numOfCerts: lists?.length ?? 0, certinfo: lists?.map((l) => [...l]) ?? [] };
}

export function getInfo(t: Transfer | null, id: number): unknown {
  const tr = t;
  switch (id) {
    case CURLINFO.PRIVATE:
      return tr ? tr.opts.get(CURLOPT.PRIVATE) : null;
    case CURLINFO.XFER_ID:
      return tr ? tr.id : -1;
    // the built-in defaults, whatever the transfer
    case CURLINFO.CAINFO: return existsSync(DEFAULT_CA_BUNDLE) ? DEFAULT_CA_BUNDLE : null;
    case CURLINFO.CAPATH: return null;
    case CURLINFO.SSL_ENGINES: return sslEngines();
    // the handle's most recent FTP connection's login directory
    case CURLINFO.FTP_ENTRY_PATH: return tr ? ftpEntryPath(tr.easy) : null;
    // RTSP's state lives in the handle's options (src/proto/rtsp.ts), as libcurl's in data->set/state
    case CURLINFO.RTSP_SESSION_ID: return tr ? tr.opts.str(CURLOPT.RTSP_SESSION_ID) : null;
    case CURLINFO.RTSP_CLIENT_CSEQ: return tr ? tr.opts.num(CURLOPT.RTSP_CLIENT_CSEQ) : 0;
    case CURLINFO.RTSP_SERVER_CSEQ: return tr ? tr.opts.num(CURLOPT.RTSP_SERVER_CSEQ) : 0;
    case CURLINFO.RTSP_CSEQ_RECV: return tr ? rtspCSeqRecv(tr.opts) : 0;
    case CURLINFO.TLS_SSL_PTR: {
      const sock = tr?.conn?.tlsFacts ? tr.conn.transport?.socket : null;
      return { backend: CURLSSLBACKEND.OPENSSL, internals: sock instanceof TLSSocket && !sock.destroyed ? sock : null };
    }
  }
  if (!tr) return defaultFor(id);
  const conn = tr.conn;
  const tt = tr.timing;
  // HTTP's facts are in its per-transfer state: null when the transfer never ran HTTP
  const http = peekHttpState(tr);
  switch (id) {
    case CURLINFO.EFFECTIVE_URL: return tr.effectiveUrl || tr.opts.str(CURLOPT.URL);
    case CURLINFO.RESPONSE_CODE: return tr.responseCode;
    case CURLINFO.HTTP_CONNECTCODE: return tr.httpConnectCode;
    case CURLINFO.HTTP_VERSION: return HTTP_VERSION_INFO[http?.httpVersion ?? 0] ?? 0;
    case CURLINFO.TOTAL_TIME: return totalSeconds(tr);
    case CURLINFO.TOTAL_TIME_T: return us(totalSeconds(tr));
    case CURLINFO.NAMELOOKUP_TIME: return since(tr, tt.namelookup);
    case CURLINFO.NAMELOOKUP_TIME_T: return us(since(tr, tt.namelookup));
    case CURLINFO.CONNECT_TIME: return since(tr, tt.connect);
    case CURLINFO.CONNECT_TIME_T: return us(since(tr, tt.connect));
    case CURLINFO.APPCONNECT_TIME: return since(tr, tt.appconnect);
    case CURLINFO.APPCONNECT_TIME_T: return us(since(tr, tt.appconnect));
    case CURLINFO.PRETRANSFER_TIME: return since(tr, tt.pretransfer);
    case CURLINFO.PRETRANSFER_TIME_T: return us(since(tr, tt.pretransfer));
    case CURLINFO.POSTTRANSFER_TIME_T: return us(since(tr, tt.posttransfer));
    case CURLINFO.STARTTRANSFER_TIME: return since(tr, tt.starttransfer);
    case CURLINFO.STARTTRANSFER_TIME_T: return us(since(tr, tt.starttransfer));
    case CURLINFO.REDIRECT_TIME: return tt.redirect / 1000;
    case CURLINFO.REDIRECT_TIME_T: return Math.round(tt.redirect * 1000);
    case CURLINFO.QUEUE_TIME_T: return tt.start > 0 ? Math.round((tt.start - tt.queued) * 1000) : 0;
    case CURLINFO.REDIRECT_COUNT: return tr.redirectCount;
    case CURLINFO.REDIRECT_URL: return tr.redirectUrl;
    case CURLINFO.SIZE_DOWNLOAD_T: case CURLINFO.SIZE_DOWNLOAD: return tr.sizeDownload;
    case CURLINFO.SIZE_DELIVERED: return tr.sizeDelivered;
    case CURLINFO.SIZE_UPLOAD_T: case CURLINFO.SIZE_UPLOAD: return tr.sizeUpload;
    case CURLINFO.SPEED_DOWNLOAD_T: case CURLINFO.SPEED_DOWNLOAD: {
      const s = totalSeconds(tr);
      return s > 0 ? Math.floor(tr.sizeDownload / s) : 0;
    }
    case CURLINFO.SPEED_UPLOAD_T: case CURLINFO.SPEED_UPLOAD: {
      const s = totalSeconds(tr);
      return s > 0 ? Math.floor(tr.sizeUpload / s) : 0;
    }
    case CURLINFO.HEADER_SIZE: return tr.headerSize;
    case CURLINFO.REQUEST_SIZE: return tr.requestSize;
    case CURLINFO.CONTENT_LENGTH_DOWNLOAD_T: case CURLINFO.CONTENT_LENGTH_DOWNLOAD: return tr.contentLength;
    case CURLINFO.CONTENT_LENGTH_UPLOAD_T: case CURLINFO.CONTENT_LENGTH_UPLOAD: return tr.uploadLength;
    case CURLINFO.CONTENT_TYPE: return tr.contentType;
    case CURLINFO.NUM_CONNECTS: return tr.numConnects;
    case CURLINFO.PRIMARY_IP: return conn?.primaryIp || '';
    case CURLINFO.PRIMARY_PORT: return conn?.primaryPort ?? 0;
    case CURLINFO.LOCAL_IP: return conn?.localIp || '';
    case CURLINFO.LOCAL_PORT: return conn?.localPort ?? 0;
    // the deprecated LASTSOCKET answers the same while the connection lives (-1 after)
    case CURLINFO.LASTSOCKET:
    case CURLINFO.ACTIVESOCKET: {
      // (a UDP protocol's socket while its transfer runs: TFTP)
      const tp = conn?.transport ?? conn?.datagram;
      return tp && !tp.closed ? tp.id : -1;
    }
    case CURLINFO.CONN_ID: return conn ? conn.id : -1;
    // the handler's scheme and CURLPROTO bit (libcurl 7.88: the scheme in upper case)
    // an ftp:// URL through a forwarding HTTP proxy is HTTP (libcurl switches conn->handler to HTTP's)
    case CURLINFO.SCHEME: return tr.handler ? (viaHttpProxy(tr) ? 'HTTP' : tr.handler.scheme.toUpperCase()) : null;
    case CURLINFO.PROTOCOL: return tr.handler ? (viaHttpProxy(tr) ? CURLPROTO.HTTP : tr.handler.protocol) : 0;
    case CURLINFO.EFFECTIVE_METHOD: return tr.effectiveMethod;
    // libcurl's state.referer: AUTOREFERER replaces it with the URL a redirect came from
    case CURLINFO.REFERER: return http?.autoReferer ?? tr.opts.str(CURLOPT.REFERER);
    case CURLINFO.OS_ERRNO: return tr.osErrno;
    case CURLINFO.SSL_VERIFYRESULT: return conn?.tlsFacts?.verifyResult ?? 0;
    case CURLINFO.CERTINFO: return certinfoOf(conn?.tlsFacts?.certinfo ?? null);
    case CURLINFO.PROXY_SSL_VERIFYRESULT: return conn?.proxyTlsFacts?.verifyResult ?? 0;
    case CURLINFO.FILETIME: return tr.filetime;
    case CURLINFO.FILETIME_T: return tr.filetime;
    case CURLINFO.CONDITION_UNMET: return tr.conditionUnmet ? 1 : 0;
    case CURLINFO.RETRY_AFTER: return http?.retryAfter ?? 0;
    case CURLINFO.USED_PROXY: return tr.proxy ? 1 : 0;
    case CURLINFO.HTTPAUTH_AVAIL: return http?.auth?.availInfo ?? 0;
    case CURLINFO.PROXYAUTH_AVAIL: return tr.proxyAuth?.availInfo ?? 0;
    case CURLINFO.HTTPAUTH_USED: return http?.auth?.used ?? 0;
    case CURLINFO.PROXYAUTH_USED: return tr.proxyAuth?.used ?? 0;
    case CURLINFO.PROXY_ERROR: return tr.proxyError;
    case CURLINFO.EARLYDATA_SENT_T: return 0;
    default: return undefined;
  }
}

function defaultFor(id: number): unknown {
  switch (id) {
    case CURLINFO.CERTINFO: return certinfoOf(null);
    case CURLINFO.ACTIVESOCKET: case CURLINFO.LASTSOCKET: return -1;
    case CURLINFO.EFFECTIVE_URL:
    case CURLINFO.PRIMARY_IP:
    case CURLINFO.LOCAL_IP:
      return id === CURLINFO.EFFECTIVE_URL ? null : '';
    case CURLINFO.CONTENT_TYPE:
    case CURLINFO.REDIRECT_URL:
    case CURLINFO.SCHEME:
    case CURLINFO.EFFECTIVE_METHOD:
    case CURLINFO.REFERER:
      return null;
    case CURLINFO.CONTENT_LENGTH_DOWNLOAD_T:
    case CURLINFO.CONTENT_LENGTH_UPLOAD_T:
    case CURLINFO.CONTENT_LENGTH_DOWNLOAD:
    case CURLINFO.CONTENT_LENGTH_UPLOAD:
    case CURLINFO.FILETIME:
    case CURLINFO.FILETIME_T:
    case CURLINFO.CONN_ID:
      return -1;
    default:
      return 0;
  }
}
