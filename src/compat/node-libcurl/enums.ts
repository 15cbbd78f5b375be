// node-libcurl's enums (every one its index exports, minus the result codes in
// result-codes.ts): the member names are node-libcurl 5.1's public API, read
// from its published type declarations; the values are libcurl's constants.
// Each is a plain object with TypeScript's enum reverse mapping
// (CurlFeature[16] === 'StreamResponse'), built without `enum` so the file
// also runs under Node's type stripping.

import { enumOf } from './enum-of.js';

export const CurlAuth = enumOf({
  None: 0, Basic: 1, Digest: 2, Negotiate: 4, GssNegotiate: 4, GssApi: 4, Ntlm: 8, DigestIe: 16, NtlmWb: 32,
  Bearer: 64, AwsSigV4: 128, Only: 0x80000000, Any: -17, AnySafe: -18
});
export type CurlAuth = number;
export const CurlFtpAuth = enumOf({
  Default: 0, Ssl: 1, Tls: 2
});
export type CurlFtpAuth = number;
export const CurlChunk = enumOf({
  BgnFuncOk: 0, BgnFuncFail: 1, BgnFuncSkip: 2, EndFuncOk: 0, EndFuncFail: 1
});
export type CurlChunk = number;
export const CurlFeature = enumOf({
  Empty: 0, NoDataParsing: 1, NoHeaderParsing: 2, Raw: 3, NoDataStorage: 4, NoHeaderStorage: 8, NoStorage: 12,
  StreamResponse: 16
});
export type CurlFeature = number;
export const CurlFileType = enumOf({
  File: 0, Directory: 1, Symlink: 2, DeviceBlock: 3, DeviceChar: 4, NamedPipe: 5, Socket: 6, Door: 7
});
export type CurlFileType = number;
export const CurlFnMatchFunc = enumOf({
  Match: 0, NoMatch: 1, Fail: 2
});
export type CurlFnMatchFunc = number;
export const CurlFollow = enumOf({
  All: 1, ObeyCode: 2, FirstOnly: 3
});
export type CurlFollow = number;
export const CurlFtpMethod = enumOf({
  DEFAULT: 0, MULTICWD: 1, NOCWD: 2, SINGLECWD: 3
});
export type CurlFtpMethod = number;
export const CurlFtpSsl = enumOf({
  CccNone: 0, CccPassive: 1, CccActive: 2
});
export type CurlFtpSsl = number;
export const CurlGssApi = enumOf({
  None: 0, PolicyFlag: 1, DelegationFlag: 2
});
export type CurlGssApi = number;
export const CurlHeader = enumOf({
  Unified: 0, Separate: 1
});
export type CurlHeader = number;
export const CurlHsts = enumOf({
  Disabled: 0, Enable: 1, ReadonlyFile: 2
});
export type CurlHsts = number;
export const CurlHstsCallback = enumOf({
  Ok: 0, Done: 1, Fail: 2
});
export type CurlHstsCallback = number;
export const CurlHttpVersion = enumOf({
  None: 0, V1_0: 1, V1_1: 2, V2_0: 3, V2Tls: 4, V2PriorKnowledge: 5, v3: 30, V3Only: 31
});
export type CurlHttpVersion = number;
export const CurlInfoDebug = enumOf({
  Text: 0, HeaderIn: 1, HeaderOut: 2, DataIn: 3, DataOut: 4, SslDataIn: 5, SslDataOut: 6
});
export type CurlInfoDebug = number;
export const CurlIpResolve = enumOf({
  Whatever: 0, V4: 1, V6: 2
});
export type CurlIpResolve = number;
export const CurlMimeOpt = enumOf({
  FormEscape: 1
});
export type CurlMimeOpt = number;
export const CurlMultiNetworkChanged = enumOf({
  ClearConns: 1, ClearDns: 1
});
export type CurlMultiNetworkChanged = number;
export const CurlNetrc = enumOf({
  Ignored: 0, Optional: 1, Required: 2
});
export type CurlNetrc = number;
export const CurlPause = enumOf({
  Recv: 1, RecvCont: 0, Send: 4, SendCont: 0, All: 5, Cont: 0
});
export type CurlPause = number;
export const CurlPipe = enumOf({
  Nothing: 0, Http1: 1, Multiplex: 2
});
export type CurlPipe = number;
export const CurlPreReqFunc = enumOf({
  Ok: 0, Abort: 1
});
export type CurlPreReqFunc = number;
export const CurlProgressFunc = enumOf({
  Continue: 0x10000001
});
export type CurlProgressFunc = number;
export const CurlProtocol = enumOf({
  HTTP: 1, HTTPS: 2, FTP: 4, FTPS: 8, SCP: 16, SFTP: 32, TELNET: 64, LDAP: 128, LDAPS: 256, DICT: 512,
  FILE: 1024, TFTP: 2048, IMAP: 4096, IMAPS: 8192, POP3: 16384, POP3S: 32768, SMTP: 0x10000, SMTPS: 0x20000,
  RTSP: 0x40000, RTMP: 0x80000, RTMPT: 0x100000, RTMPE: 0x200000, RTMPTE: 0x400000, RTMPS: 0x800000,
  RTMPTS: 0x1000000, GOPHER: 0x2000000, SMB: 0x4000000, SMBS: 0x8000000, MQTT: 0x10000000, GOPHERS: 0x20000000,
  ALL: -1
});
export type CurlProtocol = number;
export const CurlProxy = enumOf({
  Http: 0, Http_1_0: 1, Https: 2, Https2: 3, Socks4: 4, Socks5: 5, Socks4A: 6, Socks5Hostname: 7
});
export type CurlProxy = number;
export const CurlPush = enumOf({
  Ok: 0, Deny: 1, ErrorOut: 2
});
export type CurlPush = number;
export const CurlPx = enumOf({
  Ok: 0, BadAddressType: 1, BadVersion: 2, Closed: 3, Gssapi: 4, GssapiPermsg: 5, GssapiProtection: 6, Identd: 7,
  IdentdDiffer: 8, LongHostname: 9, LongPasswd: 10, LongUser: 11, NoAuth: 12, RecvAddress: 13, RecvAuth: 14,
  RecvConnect: 15, RecvReqack: 16, ReplyAddressTypeNotSupported: 17, ReplyCommandNotSupported: 18,
  ReplyConnectionRefused: 19, ReplyGeneralServerFailure: 20, ReplyHostUnreachable: 21,
  ReplyNetworkUnreachable: 22, ReplyNotAllowed: 23, ReplyTtlExpired: 24, ReplyUnassigned: 25, RequestFailed: 26,
  ResolveHost: 27, SendAuth: 28, SendConnect: 29, SendRequest: 30, UnknownFail: 31, UnknownMode: 32,
  UserRejected: 33
});
export type CurlPx = number;
export const CurlReadFunc = enumOf({
  Abort: 0x10000000, Pause: 0x10000001
});
export type CurlReadFunc = number;
export const CurlRtspRequest = enumOf({
  None: 0, Options: 1, Describe: 2, Announce: 3, Setup: 4, Play: 5, Pause: 6, Teardown: 7, GetParameter: 8,
  SetParameter: 9, Record: 10, Receive: 11
});
export type CurlRtspRequest = number;
export const CurlShareLock = enumOf({
  DataNone: 0, DataShare: 1, DataCookie: 2, DataDns: 3, DataSslSession: 4, DataConnect: 5, DataPsl: 6,
  DataHsts: 7
});
export type CurlShareLock = number;
export const CurlShareOption = enumOf({
  SHARE: 1, UNSHARE: 2
});
export type CurlShareOption = number;
export const CurlSshAuth = enumOf({
  Any: -1, None: 0, PublicKey: 1, Password: 2, Host: 4, Keyboard: 8, Agent: 16, GssApi: 32, Default: -1
});
export type CurlSshAuth = number;
export const CurlSshKeyType = enumOf({
  Unknown: 0, Rsa: 1, Dss: 2, Ecdsa: 3, Ed25519: 4
});
export type CurlSshKeyType = number;
export const CurlSshKeyMatch = enumOf({
  Ok: 0, Mismatch: 1
});
export type CurlSshKeyMatch = number;
export const CurlSslOpt = enumOf({
  AllowBeast: 1, NoRevoke: 2, NoPartialChain: 4, RevokeBestEffort: 8, NativeCa: 16, AutoClientCert: 32,
  Earlydata: 64
});
export type CurlSslOpt = number;
export const CurlSslVersion = enumOf({
  Default: 0, TlsV1: 1, SslV2: 2, SslV3: 3, TlsV1_0: 4, TlsV1_1: 5, TlsV1_2: 6, TlsV1_3: 7
});
export type CurlSslVersion = number;
export const CurlSslVersionMax = enumOf({
  None: 0, Default: 0x10000, TlsV1_0: 0x40000, TlsV1_1: 0x50000, TlsV1_2: 0x60000, TlsV1_3: 0x70000
});
export type CurlSslVersionMax = number;
export const CurlTimeCond = enumOf({
  None: 0, IfModSince: 1, IfUnmodSince: 2, LastMod: 3
});
export type CurlTimeCond = number;
export const CurlUploadFlag = enumOf({
  Answered: 1, Deleted: 2, Draft: 4, Flagged: 8, Seen: 16
});
export type CurlUploadFlag = number;
export const CurlUseSsl = enumOf({
  None: 0, Try: 1, Control: 2, All: 3
});
export type CurlUseSsl = number;
export const CurlVersion = enumOf({
  Ipv6: 1, Kerberos4: 2, Ssl: 4, Libz: 8, Ntlm: 16, GssNegotiate: 32, Debug: 64, AsynchDns: 128, Spnego: 256,
  LargeFile: 512, Idn: 1024, Sspi: 2048, Conv: 4096, CurlDebug: 8192, TlsAuthSrp: 16384, NtlmWb: 32768,
  Http2: 0x10000, GssApi: 0x20000, Kerberos5: 0x40000, UnixSockets: 0x80000, Psl: 0x100000, HttpsProxy: 0x200000,
  MultiSsl: 0x400000, Brotli: 0x800000, AltSvc: 0x1000000, Http3: 0x2000000, Zstd: 0x4000000, Unicode: 0x8000000,
  Gsasl: 0x20000000
});
export type CurlVersion = number;
export const CurlWriteFunc = enumOf({
  Pause: 0x10000001, Abort: 4294967295
});
export type CurlWriteFunc = number;
export const CurlWs = enumOf({
  Text: 1, Binary: 2, Cont: 4, Close: 8, Ping: 16, Pong: 32, Offset: 64
});
export type CurlWs = number;
export const CurlWsOptions = enumOf({
  RawMode: 1, NoAutoPong: 2
});
export type CurlWsOptions = number;
export const SocketState = enumOf({
  Readable: 1, Writable: 2
});
export type SocketState = number;
