// Option and info names as node-libcurl takes them: libcurl's names without
// the CURLOPT_/CURLINFO_ prefix in any case ('URL', 'url'), their numeric
// ids, and the camelCase aliases curly's options use ('followLocation',
// 'sslVerifyPeer'). node-libcurl's aliases are mostly the name's words in
// camelCase; the ones below split the words differently and are listed as
// node-libcurl 5.1 spells them (including its 'forbIdReuse').
import { CURLOPT, CURLINFO, CURLMOPT, optionByName, optionById } from '../../index.js';

/** One option's table entry: libcurl's name, id and value class (tscurl's option table). */
export interface OptionEntry {
  readonly name: string;
  readonly id: number;
  readonly type: string;
}

const IRREGULAR_CAMEL = [
  'acceptTimeoutMs=ACCEPTTIMEOUT_MS altSvc=ALTSVC altSvcCtrl=ALTSVC_CTRL autoReferer=AUTOREFERER',
  'awsSigV4=AWS_SIGV4 bufferSize=BUFFERSIZE caInfo=CAINFO caInfoBlob=CAINFO_BLOB caPath=CAPATH',
  'certInfo=CERTINFO connectTimeout=CONNECTTIMEOUT connectTimeoutMs=CONNECTTIMEOUT_MS cookieFile=COOKIEFILE',
  'cookieJar=COOKIEJAR cookieList=COOKIELIST cookieSession=COOKIESESSION crlFile=CRLFILE',
  'customRequest=CUSTOMREQUEST debugFunction=DEBUGFUNCTION dirListOnly=DIRLISTONLY',
  'dohSslVerifyHost=DOH_SSL_VERIFYHOST dohSslVerifyPeer=DOH_SSL_VERIFYPEER',
  'dohSslVerifyStatus=DOH_SSL_VERIFYSTATUS egdSocket=EGDSOCKET failOnError=FAILONERROR fileTime=FILETIME',
  'fnMatchFunction=FNMATCH_FUNCTION followLocation=FOLLOWLOCATION forbIdReuse=FORBID_REUSE',
  'ftpFileMethod=FTP_FILEMETHOD ftpPort=FTPPORT ftpSslAuth=FTPSSLAUTH haProxyClientIp=HAPROXY_CLIENT_IP',
  'haProxyProtocol=HAPROXYPROTOCOL headerFunction=HEADERFUNCTION headerOpt=HEADEROPT',
  'hstsReadFunction=HSTSREADFUNCTION hstsWriteFunction=HSTSWRITEFUNCTION httpAuth=HTTPAUTH httpGet=HTTPGET',
  'httpHeader=HTTPHEADER httpPost=HTTPPOST httpProxyTunnel=HTTPPROXYTUNNEL inFileSize=INFILESIZE',
  'inFileSizeLarge=INFILESIZE_LARGE interleaveFunction=INTERLEAVEFUNCTION ipResolve=IPRESOLVE',
  'issuerCert=ISSUERCERT issuerCertBlob=ISSUERCERT_BLOB keyPasswd=KEYPASSWD krbLevel=KRBLEVEL',
  'localPort=LOCALPORT localPortRange=LOCALPORTRANGE maxAgeConn=MAXAGE_CONN maxConnects=MAXCONNECTS',
  'maxFileSize=MAXFILESIZE maxFileSizeLarge=MAXFILESIZE_LARGE maxLifetimeConn=MAXLIFETIME_CONN',
  'maxRedirs=MAXREDIRS mimePost=MIMEPOST noProgress=NOPROGRESS noProxy=NOPROXY noSignal=NOSIGNAL',
  'pinnedPublicKey=PINNEDPUBLICKEY pipeWait=PIPEWAIT postFields=POSTFIELDS postFieldSize=POSTFIELDSIZE',
  'postFieldSizeLarge=POSTFIELDSIZE_LARGE postQuote=POSTQUOTE postRedir=POSTREDIR preQuote=PREQUOTE',
  'preReqFunction=PREREQFUNCTION progressFunction=PROGRESSFUNCTION proxyCaInfo=PROXY_CAINFO',
  'proxyCaInfoBlob=PROXY_CAINFO_BLOB proxyCaPath=PROXY_CAPATH proxyCrlFile=PROXY_CRLFILE',
  'proxyIssuerCert=PROXY_ISSUERCERT proxyIssuerCertBlob=PROXY_ISSUERCERT_BLOB proxyKeyPasswd=PROXY_KEYPASSWD',
  'proxyPinnedPublicKey=PROXY_PINNEDPUBLICKEY proxySslVerifyHost=PROXY_SSL_VERIFYHOST',
  'proxySslVerifyPeer=PROXY_SSL_VERIFYPEER proxySslCert=PROXY_SSLCERT proxySslCertBlob=PROXY_SSLCERT_BLOB',
  'proxySslCertType=PROXY_SSLCERTTYPE proxySslKey=PROXY_SSLKEY proxySslKeyBlob=PROXY_SSLKEY_BLOB',
  'proxySslKeyType=PROXY_SSLKEYTYPE proxyTlsAuthPassword=PROXY_TLSAUTH_PASSWORD',
  'proxyTlsAuthType=PROXY_TLSAUTH_TYPE proxyTlsAuthUsername=PROXY_TLSAUTH_USERNAME proxyAuth=PROXYAUTH',
  'proxyHeader=PROXYHEADER proxyPassword=PROXYPASSWORD proxyPort=PROXYPORT proxyType=PROXYTYPE',
  'proxyUsername=PROXYUSERNAME proxyUserpwd=PROXYUSERPWD readData=READDATA readFunction=READFUNCTION',
  'rtspTransPort=RTSP_TRANSPORT saslAuthzId=SASL_AUTHZID seekFunction=SEEKFUNCTION',
  'sshHostKeyFunction=SSH_HOSTKEYFUNCTION sshKnownHosts=SSH_KNOWNHOSTS sshPrivateKeyFile=SSH_PRIVATE_KEYFILE',
  'sshPublicKeyFile=SSH_PUBLIC_KEYFILE sslSessionIdCache=SSL_SESSIONID_CACHE sslVerifyHost=SSL_VERIFYHOST',
  'sslVerifyPeer=SSL_VERIFYPEER sslVerifyStatus=SSL_VERIFYSTATUS sslCert=SSLCERT sslCertBlob=SSLCERT_BLOB',
  'sslCertType=SSLCERTTYPE sslEngine=SSLENGINE sslEngineDefault=SSLENGINE_DEFAULT sslKey=SSLKEY',
  'sslKeyBlob=SSLKEY_BLOB sslKeyType=SSLKEYTYPE tcpFastOpen=TCP_FASTOPEN tcpKeepAlive=TCP_KEEPALIVE',
  'tcpKeepCnt=TCP_KEEPCNT tcpKeepIdle=TCP_KEEPIDLE tcpKeepIntvl=TCP_KEEPINTVL tcpNoDelay=TCP_NODELAY',
  'telnetOptions=TELNETOPTIONS tftpBlkSize=TFTP_BLKSIZE timeCondition=TIMECONDITION timeValue=TIMEVALUE',
  'timeValueLarge=TIMEVALUE_LARGE tlsAuthPassword=TLSAUTH_PASSWORD tlsAuthType=TLSAUTH_TYPE',
  'tlsAuthUsername=TLSAUTH_USERNAME trailerFunction=TRAILERFUNCTION transferText=TRANSFERTEXT',
  'uploadBufferSize=UPLOAD_BUFFERSIZE userAgent=USERAGENT wildcardMatch=WILDCARDMATCH',
  'writeFunction=WRITEFUNCTION xferInfoFunction=XFERINFOFUNCTION',].join(' ').split(' ').map((pair) => pair.split('=') as [string, string]);

/** 'PROXY_SSL_VERIFYPEER' -> 'proxySslVerifypeer': the regular alias. */
export function regularCamel(name: string): string {
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

const CAMEL_TO_NAME = new Map<string, string>();
for (const name of Object.keys(CURLOPT)) CAMEL_TO_NAME.set(regularCamel(name), name);
for (const [camel, name] of IRREGULAR_CAMEL) CAMEL_TO_NAME.set(camel, name);

/**
 * CURLOPT_HTTPPOST (curl_formadd's form): libcurl 7.56+ turns it into a MIME
 * post, and so does this layer (tscurl has only the MIME API).
 */
export const HTTPPOST: OptionEntry = { name: 'HTTPPOST', id: 10024, type: 'OBJECTPOINT' };

/**
 * Options libcurl deprecated for newer ones, which tscurl's table leaves out
 * and node-libcurl programs still use: easy.ts sets the newer option
 * (PROTOCOLS and REDIR_PROTOCOLS as their _STR lists, PUT as UPLOAD).
 */
export const DEPRECATED: readonly OptionEntry[] = [
  HTTPPOST,
  { name: 'PROTOCOLS', id: 181, type: 'LONG' },
  { name: 'REDIR_PROTOCOLS', id: 182, type: 'LONG' },
  { name: 'PUT', id: 54, type: 'LONG' },
];
const DEPRECATED_BY_KEY = new Map<string | number, OptionEntry>();
for (const e of DEPRECATED) {
  DEPRECATED_BY_KEY.set(e.id, e);
  DEPRECATED_BY_KEY.set(e.name, e);
  DEPRECATED_BY_KEY.set(regularCamel(e.name), e);
}

/** resolveOption's answers by argument: every Curl sets its callbacks and User-Agent by name, curly every option it is given */
const RESOLVED = new Map<unknown, OptionEntry | undefined>();
/** Distinct arguments remembered at most (the option table has fewer than 400 names, each in two or three spellings). */
const MAX_RESOLVED = 2048;

/** The libcurl option a node-libcurl option argument names, or undefined. */
export function resolveOption(option: unknown): OptionEntry | undefined {
  if (typeof option !== 'string' && typeof option !== 'number') return undefined;
  let entry = RESOLVED.get(option);
  if (entry === undefined && !RESOLVED.has(option)) {
    entry = lookUpOption(option);
    if (RESOLVED.size < MAX_RESOLVED) RESOLVED.set(option, entry);
  }
  return entry;
}

function lookUpOption(option: string | number): OptionEntry | undefined {
  const key = typeof option === 'string' && !DEPRECATED_BY_KEY.has(option) ? option.toUpperCase() : option;
  const old = DEPRECATED_BY_KEY.get(key as string | number);
  if (old) return old;
  if (typeof option === 'number') return optionById(option);
  if (typeof option !== 'string') return undefined;
  const byName = optionByName(option);
  // an old alias ('ENCODING', 'FILE') stands for its option under the current name
  if (byName) return optionById(byName.id) ?? byName;
  const camel = CAMEL_TO_NAME.get(option);
  return camel === undefined ? undefined : optionByName(camel);
}

/** curly's option key -> the libcurl option name it stands for (or the key itself). */
export function curlyOptionName(key: string): string {
  return CAMEL_TO_NAME.get(key) ?? key;
}

/** node-libcurl's Curl.option: every option name -> its id. */
export const CurlOptionIds: Readonly<Record<string, number>> = Object.freeze({
  ...CURLOPT,
  ...Object.fromEntries(DEPRECATED.map((e) => [e.name, e.id])),
});
/** node-libcurl's Curl.info: every info name -> its id. */
export const CurlInfoIds: Readonly<Record<string, number>> = Object.freeze({ ...CURLINFO });

const INFO_BY_ID = new Map<number, string>(Object.entries(CURLINFO).map(([n, id]) => [id, n]));

/** The info name and id a node-libcurl info argument names, or undefined. */
export function resolveInfo(info: unknown): { name: string; id: number } | undefined {
  if (typeof info === 'number') {
    const name = INFO_BY_ID.get(info);
    return name === undefined ? undefined : { name, id: info };
  }
  if (typeof info !== 'string') return undefined;
  const name = info.toUpperCase().replace(/^CURLINFO_/, '');
  const id = (CURLINFO as Record<string, number>)[name];
  return id === undefined ? undefined : { name, id };
}

const MOPT_BY_ID = new Map<number, string>(Object.entries(CURLMOPT).map(([n, id]) => [id, n]));

/** The multi option a node-libcurl Multi.setOpt argument names, or undefined. */
export function resolveMultiOption(option: unknown): { name: string; id: number } | undefined {
  if (typeof option === 'number') {
    const name = MOPT_BY_ID.get(option);
    return name === undefined ? undefined : { name, id: option };
  }
  if (typeof option !== 'string') return undefined;
  const name = option.toUpperCase().replace(/^CURLMOPT_/, '');
  const id = (CURLMOPT as Record<string, number>)[name];
  return id === undefined ? undefined : { name, id };
}
