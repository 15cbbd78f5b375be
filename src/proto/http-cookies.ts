// The HTTP handler's use of the handle's cookie engine (libcurl's http.c:
// Curl_add_cookies for a request's Cookie line, and Set-Cookie headers of
// every response, redirects included). The transfer says which host, path
// and security context the cookies are for; the engine
// (src/cookies/cookie-engine.ts) only sees those values.
import { CURLOPT } from '../easy/option-table.js';
import type { Transfer } from '../multi/transfer.js';
import { COOKIE_LIMITS } from '../cookies/cookie-jar.js';
import { cookieEngineOf, cookieFilesPending, loadCookieFiles, peekCookieEngine } from '../easy/easy-cookies.js';
import { CURL_LOCK_DATA, shareInternals, withShareLock } from '../share/share.js';

/** `fn` under the share's CURL_LOCK_DATA_COOKIE lock callbacks, when the transfer's share holds its cookies. */
function cookieLock<R>(t: Transfer, fn: () => R): R {
  const sh = shareInternals(t.opts.get(CURLOPT.SHARE));
  return sh ? withShareLock(sh, t.easy, CURL_LOCK_DATA.COOKIE, fn) : fn();
}
import { toBytes } from '../url/url-bytes.js';

/** The host cookies are matched against: a custom Host: header wins (without its port), as in libcurl. */
function cookieHost(t: Transfer): string {
  // after a redirect to another host the custom Host: is not that host's name
  const first = t.firstUrl ?? t.url!;
  if (first.host.toLowerCase() !== t.url!.host.toLowerCase()) return t.url!.host;
  for (const raw of (t.opts.get(CURLOPT.HTTPHEADER) as string[] | null) ?? []) {
    const m = /^host:\s*(\S.*?)\s*$/i.exec(raw);
    if (!m) continue;
    let h = m[1]!;
    if (h.startsWith('[')) {
      const close = h.indexOf(']');
      h = close >= 0 ? h.slice(1, close) : h.slice(1);
    } else {
      const colon = h.indexOf(':');
      if (colon >= 0) h = h.slice(0, colon);
    }
    // compared with the jar's domains, which are bytes
    return toBytes(h);
  }
  return t.url!.host;
}

/** http.c's secure_context: https, or a host that is this machine. */
function secureContext(t: Transfer, host: string): boolean {
  return t.url!.scheme === 'https' || t.url!.scheme === 'wss' || host.toLowerCase() === 'localhost' || host === '127.0.0.1' || host === '::1';
}

const pathOnly = (p: string): string => {
  const q = p.indexOf('?');
  return q >= 0 ? p.slice(0, q) : p;
};

/**
 * The Cookie: header line for a request (a byte string, without CRLF), or null: the engine's
 * matching cookies in curl's order, then CURLOPT_COOKIE unless the application
 * sends its own Cookie header. Called once per request (each redirect too).
 */
export function cookieRequestLine(t: Transfer, log: (text: string) => void): string | null {
  return cookieLock(t, () => cookieRequestLineLocked(t, log));
}
function cookieRequestLineLocked(t: Transfer, log: (text: string) => void): string | null {
  const s = cookieEngineOf(t.easy);
  s.setCookies = 0;
  // COOKIESESSION is read only when there is a file to read (an option lookup less per request)
  if (cookieFilesPending(t.easy)) loadCookieFiles(t.easy, s, t.opts.num(CURLOPT.COOKIESESSION) !== 0);
  const parts: string[] = [];
  let capped = false;
  if (s.jar) {
    const host = cookieHost(t);
    let clen = 8; // "Cookie: "
    for (const co of s.jar.getList(host, pathOnly(t.url!.path), secureContext(t, host))) {
      const add = co.name.length + co.value.length + 1;
      if (clen + add >= COOKIE_LIMITS.MAX_COOKIE_HEADER_LEN) {
        log(`Restricted outgoing cookies due to header size, '${co.name}' not sent`);
        capped = true;
        break;
      }
      parts.push(`${co.name}=${co.value}`);
      clen += add + (parts.length > 1 ? 2 : 0);
    }
  }
  const custom = t.opts.str(CURLOPT.COOKIE);
  const ownHeader = ((t.opts.get(CURLOPT.HTTPHEADER) as string[] | null) ?? []).some((h) => /^cookie\s*[:;]/i.test(h));
  // CURLOPT_COOKIE is text: its UTF-8 bytes join the jar's (a NUL in it makes the request fail, not get cut)
  if (custom !== null && !ownHeader && !capped) parts.push(toBytes(custom));
  return parts.length ? `Cookie: ${parts.join('; ')}` : null;
}

/** A Set-Cookie header of a response (every response of a redirect chain comes here). */
export function cookieFromResponse(t: Transfer, value: string, log: (text: string) => void): void {
  cookieLock(t, () => cookieFromResponseLocked(t, value, log));
}
function cookieFromResponseLocked(t: Transfer, value: string, log: (text: string) => void): void {
  const s = peekCookieEngine(t.easy);
  if (!s?.jar) return;
  if (s.setCookies >= COOKIE_LIMITS.MAX_SET_COOKIE_AMOUNT) return;
  s.setCookies++;
  const host = cookieHost(t);
  const jar = s.jar;
  jar.log = log;
  try {
    jar.add({ httpheader: true, line: value, domain: host, path: pathOnly(t.url!.path), secure: secureContext(t, host) });
  } finally {
    jar.log = () => {};
  }
}
