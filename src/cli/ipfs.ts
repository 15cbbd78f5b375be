// ipfs:// and ipns:// URLs (curl 8.4's tool_ipfs.c): the tool rewrites them
// into an HTTP(S) URL on a gateway, ipfs://CID/path?q becoming
// GATEWAY/ipfs/CID/path?q. The gateway is --ipfs-gateway, else $IPFS_GATEWAY,
// else the first line of $IPFS_PATH/gateway (IPFS_PATH defaulting to
// ~/.ipfs/). libcurl itself knows no such scheme.
import { readFileSync } from 'node:fs';
import { CurlUrl, CURLU, CURLUE, CURLUPART, CURLE } from '../index.js';

/** What a rewrite gives: the new URL, or the exit code and curl's helpf() text. */
export type IpfsRewrite = { readonly url: string } | { readonly code: number; readonly message: string };

/** The scheme ("ipfs"/"ipns", lowercase) when the URL is an IPFS one, else undefined. */
export function ipfsScheme(url: string): string | undefined {
  const u = new CurlUrl();
  if (u.set(CURLUPART.URL, url, CURLU.GUESS_SCHEME | CURLU.NON_SUPPORT_SCHEME) !== CURLUE.OK) return undefined;
  const scheme = u.get(CURLUPART.SCHEME).value?.toLowerCase();
  return scheme === 'ipfs' || scheme === 'ipns' ? scheme : undefined;
}

const withSlash = (s: string): string => (s.endsWith('/') ? s : `${s}/`);

/** curl's ipfs_gateway(): $IPFS_GATEWAY, else the first line of the gateway file; undefined: none found. */
function gatewayFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  if (env.IPFS_GATEWAY) return withSlash(env.IPFS_GATEWAY);
  let dir = env.IPFS_PATH;
  if (!dir) {
    if (!env.HOME) return undefined;
    dir = `${env.HOME}/.ipfs/`;
  }
  let text: string;
  try {
    text = readFileSync(`${withSlash(dir)}gateway`, 'latin1');
  } catch {
    return undefined;
  }
  // the first line only
  const first = /^[^\r\n]*/.exec(text)![0];
  return first === '' ? undefined : withSlash(first);
}

const MALFORMED: IpfsRewrite = { code: CURLE.URL_MALFORMAT, message: 'malformed target URL' };

/** curl's ipfs_url_rewrite(). `gateway` is --ipfs-gateway's value, if given. */
export function ipfsRewrite(url: string, scheme: string, gateway: string | undefined, env: NodeJS.ProcessEnv): IpfsRewrite {
  const uh = new CurlUrl();
  if (uh.set(CURLUPART.URL, url, CURLU.GUESS_SCHEME | CURLU.NON_SUPPORT_SCHEME) !== CURLUE.OK) return MALFORMED;
  const cid = uh.get(CURLUPART.HOST, CURLU.URLDECODE).value;
  const path = uh.get(CURLUPART.PATH, CURLU.URLDECODE).value;
  if (!cid || path === undefined) return MALFORMED;
  const gw = gateway ?? gatewayFromEnvironment(env);
  if (gw === undefined) return { code: CURLE.FILE_COULDNT_READ_FILE, message: 'IPFS automated gateway detection failed' };
  // the gateway must be a full URL (no scheme guessing: a gateway file saying "foo" is malformed)
  const g = new CurlUrl();
  if (g.set(CURLUPART.URL, gw, 0) !== CURLUE.OK) return MALFORMED;
  const gwScheme = g.get(CURLUPART.SCHEME, CURLU.URLDECODE).value;
  const gwHost = g.get(CURLUPART.HOST, CURLU.URLDECODE).value;
  const gwPort = g.get(CURLUPART.PORT, CURLU.URLDECODE).value ?? null;
  const gwPath = g.get(CURLUPART.PATH, CURLU.URLDECODE).value ?? '/';
  if (!gwScheme || !gwHost) return MALFORMED;
  if (uh.set(CURLUPART.SCHEME, gwScheme, CURLU.URLENCODE) !== CURLUE.OK ||
      uh.set(CURLUPART.HOST, gwHost, CURLU.URLENCODE) !== CURLUE.OK ||
      uh.set(CURLUPART.PORT, gwPort, CURLU.URLENCODE) !== CURLUE.OK) return MALFORMED;
  // a lone "/" of the input is no path to add
  const rest = path === '/' ? '' : path;
  if (uh.set(CURLUPART.PATH, `${withSlash(gwPath)}${scheme}/${cid}${rest}`, CURLU.URLENCODE) !== CURLUE.OK) return MALFORMED;
  const out = uh.get(CURLUPART.URL, CURLU.URLENCODE).value;
  return out === undefined ? MALFORMED : { url: out };
}
