// LDAP URLs (RFC 4516) as OpenLDAP's ldap_url_parse reads them for libcurl
// 7.88's openldap.c: ldap://host:port/dn?attributes?scope?filter?extensions,
// each part percent-decoded; the scope defaults to base, the filter to
// (objectclass=*), as libldap's ldap_url_parse sets it, no attributes means all of them. Errors are libcurl's
// "LDAP local: <ldap url error>" with CURLE_URL_MALFORMAT; credentials in
// the URL are one ("bad URL": 7.88 does not hand such a URL to libldap).
import { CURLE, type CURLcode } from '../codes.js';
import { toBytes, urlDecode } from '../url/url-bytes.js';
import { SCOPE } from './ldap-message.js';

export interface LdapUrl {
  /** byte strings (one char per byte) */
  dn: string;
  attributes: string[];
  scope: number;
  filter: string;
}

export type LdapUrlResult = { ok: true; url: LdapUrl } | { ok: false; code: CURLcode; message: string };

const SCOPES: Readonly<Record<string, number>> = {
  base: SCOPE.BASE, one: SCOPE.ONE, onelevel: SCOPE.ONE, sub: SCOPE.SUB, subtree: SCOPE.SUB,
  subord: SCOPE.CHILDREN, subordinate: SCOPE.CHILDREN, children: SCOPE.CHILDREN,
};

const bad = (message: string): LdapUrlResult => ({ ok: false, code: CURLE.URL_MALFORMAT, message: `LDAP local: ${message}` });

/**
 * @param target the URL's path and query as the transfer has them (TransferUrl.path)
 * @param hasCredentials the URL names a user, password or login options
 */
export function parseLdapUrl(target: string, hasCredentials: boolean): LdapUrlResult {
  if (hasCredentials) return bad('bad URL');
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const parts = q < 0 ? [] : target.slice(q + 1).split('?');
  if (parts.length > 4) return bad('bad URL');
  const decode = (s: string): string | null => urlDecode(toBytes(s), false);
  const dn = decode(path.replace(/^\//, ''));
  if (dn === null) return bad('bad URL');
  const attributes: string[] = [];
  if (parts[0]) {
    for (const a of parts[0].split(',')) {
      const d = decode(a);
      if (d === null) return bad('bad or missing attributes');
      // libldap splits the list with strtok: empty names ("cn,,mail", "?,?") are skipped
      if (d !== '') attributes.push(d);
    }
  }
  let scope: number = SCOPE.BASE;
  if (parts[1]) {
    const s = SCOPES[parts[1].toLowerCase()];
    if (s === undefined) return bad('bad or missing scope');
    scope = s;
  }
  let filter = '(objectclass=*)';
  if (parts[2]) {
    const f = decode(parts[2]);
    if (f === null) return bad('bad or missing filter');
    if (f !== '') filter = f;
  }
  return { ok: true, url: { dn, attributes, scope, filter } };
}
