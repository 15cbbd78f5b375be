// The glue between a transfer and HostAuth: builds the auth state from the
// transfer's options on first use, and gives the HTTP handler the three
// calls it needs (request lines, a 401's WWW-Authenticate, end of headers).
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import type { Transfer } from '../multi/transfer.js';
import { credentialsAllowed } from '../proto/redirect.js';
import { HostAuth, type AuthOutput } from './host-auth.js';

export function hostAuthOf(t: Transfer): HostAuth {
  if (!t.auth) {
    const o = t.opts;
    t.auth = new HostAuth({
      httpAuth: o.has(CURLOPT.HTTPAUTH) ? o.num(CURLOPT.HTTPAUTH) : 1,
      username: o.str(CURLOPT.USERNAME),
      password: o.str(CURLOPT.PASSWORD),
      bearer: o.str(CURLOPT.XOAUTH2_BEARER),
      netrc: o.num(CURLOPT.NETRC),
      netrcFile: o.str(CURLOPT.NETRC_FILE),
      awsSigV4: o.str(CURLOPT.AWS_SIGV4),
      failOnError: o.num(CURLOPT.FAILONERROR) !== 0,
    });
  }
  return t.auth;
}

function credsOf(t: Transfer): { code: CURLcode; message?: string; creds: import('./host-auth.js').Credentials } {
  const url = t.url!;
  return hostAuthOf(t).credentials(url.host, url.user, url.password);
}

/** The Authorization line(s) for the request being built (curl puts them right after Host). */
export function authRequestLines(t: Transfer, method: string, hostHeader: string | null, body: Buffer | null): AuthOutput {
  const c = credsOf(t);
  if (c.code !== CURLE.OK) return { code: c.code, message: c.message ?? '', lines: [], probe: false, info: [] };
  const url = t.url!;
  return hostAuthOf(t).output({
    method, host: url.host, hostHeader, target: url.path,
    userHeaders: (t.opts.get(CURLOPT.HTTPHEADER) as string[] | null) ?? [],
    body, allowed: credentialsAllowed(t),
  }, c.creds);
}

/** A WWW-Authenticate header; libcurl reads them only on a 401. Returns verbose info lines. */
export function authOnChallenge(t: Transfer, value: string): string[] {
  if (t.responseCode !== 401) return [];
  return hostAuthOf(t).input(value);
}

/**
 * The response head is complete: ask for the same URL again when a better
 * authenticated request is possible (sets t.retryRequest), and say whether
 * FAILONERROR makes this response an error.
 */
export function authOnHeadersEnd(t: Transfer): { fail: boolean } {
  const a = hostAuthOf(t);
  const c = credsOf(t);
  const r = a.act(t.responseCode, t.effectiveMethod, c.creds, credentialsAllowed(t));
  if (r.retry) t.retryRequest = true;
  return { fail: r.fail };
}
