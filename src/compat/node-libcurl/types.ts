// The type names node-libcurl exports besides its classes and enums, so that
// TypeScript code importing them from 'node-libcurl' compiles against
// 'tscurl/node-libcurl'. Option and info names are libcurl's, from tscurl's
// tables.
import type { CURLOPT, CURLINFO, CURLMOPT, WsFrameMeta, versionInfo } from '../../index.js';

export type CurlOptionName = keyof typeof CURLOPT;
export type CurlInfoName = keyof typeof CURLINFO;
export type MultiOptionName = keyof typeof CURLMOPT;
/** Curl.option: every option name and its id. */
export type CurlOption = { readonly [K in CurlOptionName]: number };
/** Curl.info: every info name and its id. */
export type CurlInfo = { readonly [K in CurlInfoName]: number };
export type MultiOption = { readonly [K in MultiOptionName]: number };
/** curly's libcurl options: by name or camelCase alias. */
export type CurlOptionValueType = { [option: string]: unknown };
export type DataCallbackOptions = 'READFUNCTION' | 'HEADERFUNCTION' | 'WRITEFUNCTION';
export type ProgressCallbackOptions = 'PROGRESSFUNCTION' | 'XFERINFOFUNCTION';
export type StringListOptions = 'CONNECT_TO' | 'HTTP200ALIASES' | 'HTTPHEADER' | 'MAIL_RCPT' | 'PROXYHEADER' | 'POSTQUOTE'
  | 'PREQUOTE' | 'QUOTE' | 'RESOLVE' | 'TELNETOPTIONS';
export type BlobOptions = 'CAINFO_BLOB' | 'ISSUERCERT_BLOB' | 'SSLKEY_BLOB' | 'SSLCERT_BLOB' | 'PROXY_CAINFO_BLOB'
  | 'PROXY_SSLCERT_BLOB' | 'PROXY_SSLKEY_BLOB';

/** What HSTSREADFUNCTION returns and HSTSWRITEFUNCTION gets. */
export interface CurlHstsCacheEntry {
  host: string;
  includeSubDomains?: boolean;
  expire?: string | null;
}
export interface CurlHstsCacheCount {
  index: number;
  count: number;
  total?: number;
}

/** The WebSocket frame metadata wsRecv()/wsMeta() give (tscurl's curl_ws_frame). */
export type CurlWsFrame = WsFrameMeta;

/** CHUNK_BGN_FUNCTION's file info (FTP wildcard transfers), node-libcurl's shape of curl_fileinfo. */
export interface FileInfo {
  fileName: string;
  fileType: number;
  time: Date;
  perm: number;
  uid: number;
  gid: number;
  size: number;
  hardLinks: number;
  strings: { time: string; perm: string; user: string; group: string; target: string | null };
}

/** A PUSH_PROMISE's headers as Multi's PUSHFUNCTION callback sees them (valid during the call only). */
export interface Http2PushFrameHeaders {
  readonly numberOfHeaders: number;
  getByIndex(index: number): string | null;
  getByName(name: string): string | null;
}

/** Curl.getVersionInfo(): tscurl's curl_version_info. */
export type CurlVersionInfoNativeBindingObject = ReturnType<typeof versionInfo>;
