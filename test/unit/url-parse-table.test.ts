// Table tests for curl's URL API parser (CurlUrl.set(URL) + get of every part).
//
// Every row was run through libcurl 7.88.1's own curl_url_set/curl_url_get
// (the system libcurl.so.4, called through Python ctypes) and through
// CurlUrl. Rows with curl788: true produced identical codes and parts in
// both. Rows with curl788: false are deliberate: they follow the current
// curl docs / curl 8 behaviour, and `why` says how 7.88.1 differed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CurlUrl, CURLU, CURLUE, CURLUPART } from '../../src/url/index.js';

interface Row {
  in: string;
  flags: number;
  code: number;
  url?: string;
  scheme?: string;
  user?: string;
  password?: string;
  options?: string;
  host?: string;
  zoneid?: string;
  port?: string;
  path?: string;
  query?: string;
  fragment?: string;
  /** get(PORT, CURLU_DEFAULT_PORT) */
  defport?: string | null;
  curl788: boolean;
  why?: string;
}

const TABLE: readonly Row[] = [
  {"in": "http://example.com", "flags": 0, "code": 0, "url": "http://example.com/", "scheme": "http", "host": "example.com", "path": "/", "defport": "80", "curl788": true},
  {"in": "HTTP://Example.COM/Path", "flags": 0, "code": 0, "url": "http://Example.COM/Path", "scheme": "http", "host": "Example.COM", "path": "/Path", "defport": "80", "curl788": true},
  {"in": "http://example.com:8080/a/b?c=d#e", "flags": 0, "code": 0, "url": "http://example.com:8080/a/b?c=d#e", "scheme": "http", "host": "example.com", "port": "8080", "path": "/a/b", "query": "c=d", "fragment": "e", "defport": "8080", "curl788": true},
  {"in": "https://user:pass@example.com/", "flags": 0, "code": 0, "url": "https://user:pass@example.com/", "scheme": "https", "user": "user", "password": "pass", "host": "example.com", "path": "/", "defport": "443", "curl788": true},
  {"in": "http://user@example.com/", "flags": 0, "code": 0, "url": "http://user@example.com/", "scheme": "http", "user": "user", "host": "example.com", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://user:@example.com/", "flags": 0, "code": 0, "url": "http://user:@example.com/", "scheme": "http", "user": "user", "password": "", "host": "example.com", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://:pass@example.com/", "flags": 0, "code": 0, "url": "http://:pass@example.com/", "scheme": "http", "user": "", "password": "pass", "host": "example.com", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://u:p:x@h/", "flags": 0, "code": 0, "url": "http://u:p:x@h/", "scheme": "http", "user": "u", "password": "p:x", "host": "h", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://a@b@c/", "flags": 0, "code": 21, "curl788": true},
  {"in": "imap://u:p;auth=x@h/INBOX", "flags": 0, "code": 0, "url": "imap://u:p;auth=x@h/INBOX", "scheme": "imap", "user": "u", "password": "p", "options": "auth=x", "host": "h", "path": "/INBOX", "defport": "143", "curl788": true},
  {"in": "imap://u;auth=x:p@h/", "flags": 0, "code": 0, "url": "imap://u:p;auth=x@h/", "scheme": "imap", "user": "u", "password": "p", "options": "auth=x", "host": "h", "path": "/", "defport": "143", "curl788": true},
  {"in": "imap://u;@h/", "flags": 0, "code": 0, "url": "imap://u@h/", "scheme": "imap", "user": "u", "host": "h", "path": "/", "defport": "143", "curl788": true},
  {"in": "smtp://u;o@h/", "flags": 0, "code": 0, "url": "smtp://u;o@h/", "scheme": "smtp", "user": "u", "options": "o", "host": "h", "path": "/", "defport": "25", "curl788": true},
  {"in": "http://u;o@h/", "flags": 0, "code": 0, "url": "http://u;o@h/", "scheme": "http", "user": "u;o", "host": "h", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h:80/", "flags": 0, "code": 0, "url": "http://h:80/", "scheme": "http", "host": "h", "port": "80", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h:65535/", "flags": 0, "code": 0, "url": "http://h:65535/", "scheme": "http", "host": "h", "port": "65535", "path": "/", "defport": "65535", "curl788": true},
  {"in": "http://h:65536/", "flags": 0, "code": 4, "curl788": true},
  {"in": "http://h:-1/", "flags": 0, "code": 4, "curl788": true},
  {"in": "http://h:1a/", "flags": 0, "code": 4, "curl788": true},
  {"in": "http://h:/", "flags": 0, "code": 0, "url": "http://h/", "scheme": "http", "host": "h", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h:0/", "flags": 0, "code": 0, "url": "http://h:0/", "scheme": "http", "host": "h", "port": "0", "path": "/", "defport": "0", "curl788": true},
  {"in": "http://h:000000000000080/", "flags": 0, "code": 0, "url": "http://h:80/", "scheme": "http", "host": "h", "port": "80", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h:99999999999999999999/", "flags": 0, "code": 4, "curl788": true},
  {"in": "http://0x7f.1/", "flags": 0, "code": 0, "url": "http://127.0.0.1/", "scheme": "http", "host": "127.0.0.1", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://127.1/", "flags": 0, "code": 0, "url": "http://127.0.0.1/", "scheme": "http", "host": "127.0.0.1", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://0177.0.0.1/", "flags": 0, "code": 0, "url": "http://127.0.0.1/", "scheme": "http", "host": "127.0.0.1", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://2130706433/", "flags": 0, "code": 0, "url": "http://127.0.0.1/", "scheme": "http", "host": "127.0.0.1", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://0x7f000001/", "flags": 0, "code": 0, "url": "http://127.0.0.1/", "scheme": "http", "host": "127.0.0.1", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://1.2.3/", "flags": 0, "code": 0, "url": "http://1.2.0.3/", "scheme": "http", "host": "1.2.0.3", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://256.1.1.1/", "flags": 0, "code": 0, "url": "http://256.1.1.1/", "scheme": "http", "host": "256.1.1.1", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://1.2.3.256/", "flags": 0, "code": 0, "url": "http://1.2.3.256/", "scheme": "http", "host": "1.2.3.256", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://4294967295/", "flags": 0, "code": 0, "url": "http://255.255.255.255/", "scheme": "http", "host": "255.255.255.255", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://4294967296/", "flags": 0, "code": 0, "url": "http://4294967296/", "scheme": "http", "host": "4294967296", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://1.16777215/", "flags": 0, "code": 0, "url": "http://1.255.255.255/", "scheme": "http", "host": "1.255.255.255", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://1.16777216/", "flags": 0, "code": 0, "url": "http://1.16777216/", "scheme": "http", "host": "1.16777216", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://08/", "flags": 0, "code": 0, "url": "http://08/", "scheme": "http", "host": "08", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://0x/", "flags": 0, "code": 0, "url": "http://0x/", "scheme": "http", "host": "0x", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://1.2.3.4.5/", "flags": 0, "code": 0, "url": "http://1.2.3.4.5/", "scheme": "http", "host": "1.2.3.4.5", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://1..2/", "flags": 0, "code": 0, "url": "http://1..2/", "scheme": "http", "host": "1..2", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://[::1]/", "flags": 0, "code": 0, "url": "http://[::1]/", "scheme": "http", "host": "[::1]", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://[::1]:8080/x", "flags": 0, "code": 0, "url": "http://[::1]:8080/x", "scheme": "http", "host": "[::1]", "port": "8080", "path": "/x", "defport": "8080", "curl788": true},
  {"in": "http://[fe80::1%25eth0]/", "flags": 0, "code": 0, "url": "http://[fe80::1%25eth0]/", "scheme": "http", "host": "[fe80::1]", "zoneid": "eth0", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://[fe80::1%eth0]/", "flags": 0, "code": 0, "url": "http://[fe80::1%25eth0]/", "scheme": "http", "host": "[fe80::1]", "zoneid": "eth0", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://[FE80::AbCd]/", "flags": 0, "code": 0, "url": "http://[FE80::AbCd]/", "scheme": "http", "host": "[FE80::AbCd]", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://[::1]x/", "flags": 0, "code": 4, "curl788": true},
  {"in": "http://[::1/", "flags": 0, "code": 22, "curl788": true},
  {"in": "http://[]/", "flags": 0, "code": 22, "curl788": true},
  {"in": "http://[1::2::3]/", "flags": 0, "code": 22, "curl788": true},
  {"in": "http://[1:2:3:4:5:6:7:8:9]/", "flags": 0, "code": 22, "curl788": true},
  {"in": "http://[::1.2.3.4]/", "flags": 0, "code": 0, "url": "http://[::1.2.3.4]/", "scheme": "http", "host": "[::1.2.3.4]", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://[v1.x]/", "flags": 0, "code": 22, "curl788": true},
  {"in": "http://ex%61mple.com/", "flags": 0, "code": 0, "url": "http://example.com/", "scheme": "http", "host": "example.com", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://a%20b/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://a%00b/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://exa mple.com/", "flags": 0, "code": 3, "curl788": false, "why": "curl 8 scans the whole URL first: MALFORMED_INPUT (7.88: BAD_HOSTNAME)"},
  {"in": "http://h!/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h$/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h*/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h+/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h,/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h;/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h=/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h&/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h'/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h_x-y~/", "flags": 0, "code": 0, "url": "http://h_x-y~/", "scheme": "http", "host": "h_x-y~", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h\\x/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h{/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h^/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h`/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h|/", "flags": 0, "code": 0, "url": "http://h|/", "scheme": "http", "host": "h|", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h\"/", "flags": 0, "code": 21, "curl788": true},
  {"in": "http://h\u00e9.com/", "flags": 0, "code": 0, "url": "http://h\u00e9.com/", "scheme": "http", "host": "h\u00e9.com", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h/a/./b/../c", "flags": 0, "code": 0, "url": "http://h/a/c", "scheme": "http", "host": "h", "path": "/a/c", "defport": "80", "curl788": true},
  {"in": "http://h/a/./b/../c", "flags": 16, "code": 0, "url": "http://h/a/./b/../c", "scheme": "http", "host": "h", "path": "/a/./b/../c", "defport": "80", "curl788": true},
  {"in": "http://h/../../a", "flags": 0, "code": 0, "url": "http://h/a", "scheme": "http", "host": "h", "path": "/a", "defport": "80", "curl788": true},
  {"in": "http://h/a/..", "flags": 0, "code": 0, "url": "http://h/", "scheme": "http", "host": "h", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h/a/.", "flags": 0, "code": 0, "url": "http://h/a/", "scheme": "http", "host": "h", "path": "/a/", "defport": "80", "curl788": true},
  {"in": "http://h/.", "flags": 0, "code": 0, "url": "http://h/", "scheme": "http", "host": "h", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h/..", "flags": 0, "code": 0, "url": "http://h/", "scheme": "http", "host": "h", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h/a/.../b", "flags": 0, "code": 0, "url": "http://h/a/.../b", "scheme": "http", "host": "h", "path": "/a/.../b", "defport": "80", "curl788": true},
  {"in": "http://h/a/%2e%2e/b", "flags": 0, "code": 0, "url": "http://h/a/%2e%2e/b", "scheme": "http", "host": "h", "path": "/a/%2e%2e/b", "defport": "80", "curl788": true},
  {"in": "http://h//a//b", "flags": 0, "code": 0, "url": "http://h//a//b", "scheme": "http", "host": "h", "path": "//a//b", "defport": "80", "curl788": true},
  {"in": "http://h/a/b/../../../..", "flags": 0, "code": 0, "url": "http://h/", "scheme": "http", "host": "h", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h/a?b/../c", "flags": 0, "code": 0, "url": "http://h/a?b/../c", "scheme": "http", "host": "h", "path": "/a", "query": "b/../c", "defport": "80", "curl788": true},
  {"in": "http://h/a#b/../c", "flags": 0, "code": 0, "url": "http://h/a#b/../c", "scheme": "http", "host": "h", "path": "/a", "fragment": "b/../c", "defport": "80", "curl788": true},
  {"in": "http://h/.a/..b/c.", "flags": 0, "code": 0, "url": "http://h/.a/..b/c.", "scheme": "http", "host": "h", "path": "/.a/..b/c.", "defport": "80", "curl788": true},
  {"in": "http://h?q", "flags": 0, "code": 0, "url": "http://h/?q", "scheme": "http", "host": "h", "path": "/", "query": "q", "defport": "80", "curl788": true},
  {"in": "http://h#f", "flags": 0, "code": 0, "url": "http://h/#f", "scheme": "http", "host": "h", "path": "/", "fragment": "f", "defport": "80", "curl788": true},
  {"in": "http://h/?", "flags": 0, "code": 0, "url": "http://h/", "scheme": "http", "host": "h", "path": "/", "defport": "80", "curl788": false, "why": "empty query is 'missing' without CURLU_GET_EMPTY (curl 8.8+; 7.88 returned \"\")"},
  {"in": "http://h/#", "flags": 0, "code": 0, "url": "http://h/", "scheme": "http", "host": "h", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h/?#", "flags": 0, "code": 0, "url": "http://h/", "scheme": "http", "host": "h", "path": "/", "defport": "80", "curl788": false, "why": "empty query is 'missing' without CURLU_GET_EMPTY (curl 8.8+)"},
  {"in": "http://h/p?q?r#f#g", "flags": 0, "code": 0, "url": "http://h/p?q?r#f#g", "scheme": "http", "host": "h", "path": "/p", "query": "q?r", "fragment": "f#g", "defport": "80", "curl788": true},
  {"in": "http://h/p#f?q", "flags": 0, "code": 0, "url": "http://h/p#f?q", "scheme": "http", "host": "h", "path": "/p", "fragment": "f?q", "defport": "80", "curl788": true},
  {"in": "http://h/%7E%7e", "flags": 0, "code": 0, "url": "http://h/%7E%7e", "scheme": "http", "host": "h", "path": "/%7E%7e", "defport": "80", "curl788": true},
  {"in": "http://h/%zz", "flags": 0, "code": 0, "url": "http://h/%zz", "scheme": "http", "host": "h", "path": "/%zz", "defport": "80", "curl788": true},
  {"in": "http://h/\u00e9", "flags": 0, "code": 0, "url": "http://h/\u00e9", "scheme": "http", "host": "h", "path": "/\u00e9", "defport": "80", "curl788": true},
  {"in": "example.com", "flags": 0, "code": 27, "curl788": true},
  {"in": "example.com", "flags": 512, "code": 0, "url": "http://example.com/", "scheme": "http", "host": "example.com", "path": "/", "defport": "80", "curl788": true},
  {"in": "example.com", "flags": 4, "code": 0, "url": "https://example.com/", "scheme": "https", "host": "example.com", "path": "/", "defport": "443", "curl788": true},
  {"in": "example.com", "flags": 516, "code": 0, "url": "https://example.com/", "scheme": "https", "host": "example.com", "path": "/", "defport": "443", "curl788": true},
  {"in": "ftp.example.com", "flags": 512, "code": 0, "url": "ftp://ftp.example.com/", "scheme": "ftp", "host": "ftp.example.com", "path": "/", "defport": "21", "curl788": true},
  {"in": "FTP.example.com/x", "flags": 512, "code": 0, "url": "ftp://FTP.example.com/x", "scheme": "ftp", "host": "FTP.example.com", "path": "/x", "defport": "21", "curl788": true},
  {"in": "dict.x", "flags": 512, "code": 0, "url": "dict://dict.x/", "scheme": "dict", "host": "dict.x", "path": "/", "defport": "2628", "curl788": true},
  {"in": "ldap.x", "flags": 512, "code": 0, "url": "ldap://ldap.x/", "scheme": "ldap", "host": "ldap.x", "path": "/", "defport": "389", "curl788": true},
  {"in": "imap.x", "flags": 512, "code": 0, "url": "imap://imap.x/", "scheme": "imap", "host": "imap.x", "path": "/", "defport": "143", "curl788": true},
  {"in": "smtp.x", "flags": 512, "code": 0, "url": "smtp://smtp.x/", "scheme": "smtp", "host": "smtp.x", "path": "/", "defport": "25", "curl788": true},
  {"in": "pop3.x", "flags": 512, "code": 0, "url": "pop3://pop3.x/", "scheme": "pop3", "host": "pop3.x", "path": "/", "defport": "110", "curl788": true},
  {"in": "ftpx.com", "flags": 512, "code": 0, "url": "http://ftpx.com/", "scheme": "http", "host": "ftpx.com", "path": "/", "defport": "80", "curl788": true},
  {"in": "ftp", "flags": 512, "code": 0, "url": "http://ftp/", "scheme": "http", "host": "ftp", "path": "/", "defport": "80", "curl788": true},
  {"in": "ftp.", "flags": 512, "code": 0, "url": "ftp://ftp./", "scheme": "ftp", "host": "ftp.", "path": "/", "defport": "21", "curl788": true},
  {"in": "h:8080/p", "flags": 512, "code": 0, "url": "http://h:8080/p", "scheme": "http", "host": "h", "port": "8080", "path": "/p", "defport": "8080", "curl788": true},
  {"in": "h:/p", "flags": 512, "code": 5, "curl788": true},
  {"in": "u:p@h/x", "flags": 512, "code": 0, "url": "http://u:p@h/x", "scheme": "http", "user": "u", "password": "p", "host": "h", "path": "/x", "defport": "80", "curl788": true},
  {"in": "127.0.0.1:99", "flags": 512, "code": 0, "url": "http://127.0.0.1:99/", "scheme": "http", "host": "127.0.0.1", "port": "99", "path": "/", "defport": "99", "curl788": true},
  {"in": "[::1]:99/x", "flags": 512, "code": 0, "url": "http://[::1]:99/x", "scheme": "http", "host": "[::1]", "port": "99", "path": "/x", "defport": "99", "curl788": true},
  {"in": "//h/x", "flags": 512, "code": 14, "curl788": true},
  {"in": "/x", "flags": 512, "code": 14, "curl788": true},
  {"in": "?x", "flags": 512, "code": 14, "curl788": true},
  {"in": "", "flags": 0, "code": 3, "curl788": false, "why": "curl_url_set.md: a blank URL on an empty handle is an error (MALFORMED_INPUT)"},
  {"in": "", "flags": 512, "code": 3, "curl788": false, "why": "curl_url_set.md: a blank URL on an empty handle is an error (MALFORMED_INPUT)"},
  {"in": "foo://h/", "flags": 0, "code": 5, "curl788": true},
  {"in": "foo://h/", "flags": 8, "code": 0, "url": "foo://h/", "scheme": "foo", "host": "h", "path": "/", "defport": null, "curl788": true},
  {"in": "foo://u:p;o@h:9/x", "flags": 8, "code": 0, "url": "foo://u:p;o@h:9/x", "scheme": "foo", "user": "u", "password": "p;o", "host": "h", "port": "9", "path": "/x", "defport": "9", "curl788": true},
  {"in": "x-y.z+w://h", "flags": 8, "code": 0, "url": "x-y.z+w://h/", "scheme": "x-y.z+w", "host": "h", "path": "/", "defport": null, "curl788": true},
  {"in": "1http://h/", "flags": 0, "code": 27, "curl788": false, "why": "a scheme starts with a letter (RFC 3986; 7.88 took it as a scheme)"},
  {"in": "1http://h/", "flags": 512, "code": 4, "curl788": false, "why": "a scheme starts with a letter (RFC 3986; 7.88 took it as a scheme)"},
  {"in": "http:/h/p", "flags": 0, "code": 0, "url": "http://h/p", "scheme": "http", "host": "h", "path": "/p", "defport": "80", "curl788": true},
  {"in": "http:h/p", "flags": 0, "code": 27, "curl788": false, "why": "\"scheme:\" needs a slash to count as a scheme (curl 8): BAD_SCHEME"},
  {"in": "http:h/p", "flags": 512, "code": 4, "curl788": true},
  {"in": "http:///h/p", "flags": 0, "code": 0, "url": "http://h/p", "scheme": "http", "host": "h", "path": "/p", "defport": "80", "curl788": true},
  {"in": "http:////h/p", "flags": 0, "code": 28, "curl788": true},
  {"in": "http://", "flags": 0, "code": 14, "curl788": true},
  {"in": "http://", "flags": 1024, "code": 0, "url": "http:///", "scheme": "http", "host": "", "path": "/", "defport": "80", "curl788": true},
  {"in": "http:///", "flags": 1024, "code": 0, "url": "http:///", "scheme": "http", "host": "", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://u@/", "flags": 0, "code": 14, "curl788": true},
  {"in": "http://:80/", "flags": 0, "code": 14, "curl788": true},
  {"in": "http://h:80", "flags": 0, "code": 0, "url": "http://h:80/", "scheme": "http", "host": "h", "port": "80", "path": "/", "defport": "80", "curl788": true},
  {"in": "file:///etc/passwd", "flags": 0, "code": 0, "url": "file:///etc/passwd", "scheme": "file", "path": "/etc/passwd", "defport": "0", "curl788": true},
  {"in": "file://localhost/etc/x", "flags": 0, "code": 0, "url": "file:///etc/x", "scheme": "file", "path": "/etc/x", "defport": "0", "curl788": true},
  {"in": "file://LOCALHOST/etc/x", "flags": 0, "code": 0, "url": "file:///etc/x", "scheme": "file", "path": "/etc/x", "defport": "0", "curl788": true},
  {"in": "file://127.0.0.1/x", "flags": 0, "code": 0, "url": "file:///x", "scheme": "file", "path": "/x", "defport": "0", "curl788": true},
  {"in": "file://example.com/x", "flags": 0, "code": 19, "curl788": true},
  {"in": "file:/etc/x", "flags": 0, "code": 0, "url": "file:///etc/x", "scheme": "file", "path": "/etc/x", "defport": "0", "curl788": true},
  {"in": "file:etc/x", "flags": 0, "code": 27, "curl788": false, "why": "\"scheme:\" needs a slash to count as a scheme (curl 8): BAD_SCHEME"},
  {"in": "file://", "flags": 0, "code": 19, "curl788": true},
  {"in": "file:/", "flags": 0, "code": 19, "curl788": true},
  {"in": "file:///", "flags": 0, "code": 0, "url": "file:///", "scheme": "file", "path": "/", "defport": "0", "curl788": false, "why": "7.88 printed \"file://(nil)\"; the path is at least \"/\""},
  {"in": "file:///c:/x", "flags": 0, "code": 19, "curl788": true},
  {"in": "file:///C|/x", "flags": 0, "code": 19, "curl788": true},
  {"in": "file://c:/x", "flags": 0, "code": 19, "curl788": true},
  {"in": "file:///a/../b?q#f", "flags": 0, "code": 0, "url": "file:///b?q#f", "scheme": "file", "path": "/b", "query": "q", "fragment": "f", "defport": "0", "curl788": false, "why": "7.88 dropped the query from file: URLs"},
  {"in": "file:///a/../b", "flags": 16, "code": 0, "url": "file:///a/../b", "scheme": "file", "path": "/a/../b", "defport": "0", "curl788": true},
  {"in": "FILE:///x", "flags": 0, "code": 0, "url": "file:///x", "scheme": "file", "path": "/x", "defport": "0", "curl788": true},
  {"in": "file://localhost", "flags": 0, "code": 19, "curl788": true},
  {"in": "file://localhost/", "flags": 0, "code": 0, "url": "file:///", "scheme": "file", "path": "/", "defport": "0", "curl788": false, "why": "7.88 printed \"file://(nil)\"; the path is at least \"/\""},
  {"in": "http://h/a b", "flags": 0, "code": 3, "curl788": false, "why": "curl 8 junk scan: MALFORMED_INPUT (7.88: BAD_PATH)"},
  {"in": "http://h/a b", "flags": 2048, "code": 0, "url": "http://h/a b", "scheme": "http", "host": "h", "path": "/a b", "defport": "80", "curl788": true},
  {"in": "http://h/a b?c d#e f", "flags": 2176, "code": 0, "url": "http://h/a%20b?c+d#e%20f", "scheme": "http", "host": "h", "path": "/a%20b", "query": "c+d", "fragment": "e%20f", "defport": "80", "curl788": false, "why": "the fragment is encoded too (curl 8 parseurl)"},
  {"in": "http://h/a\tb", "flags": 0, "code": 3, "curl788": false, "why": "curl 8 junk scan: MALFORMED_INPUT (7.88: BAD_PATH)"},
  {"in": "http://h/a\u007fb", "flags": 0, "code": 3, "curl788": false, "why": "curl 8 junk scan: MALFORMED_INPUT (7.88: BAD_PATH)"},
  {"in": "http://h/\u0001", "flags": 0, "code": 3, "curl788": false, "why": "curl 8 junk scan: MALFORMED_INPUT (7.88: BAD_PATH)"},
  {"in": "http://h/\u00fc ?\u00e4 ", "flags": 2176, "code": 0, "url": "http://h/%c3%bc%20?%c3%a4+", "scheme": "http", "host": "h", "path": "/%c3%bc%20", "query": "%c3%a4+", "defport": "80", "curl788": true},
  {"in": "http://user:pass@h/", "flags": 32, "code": 8, "curl788": true},
  {"in": "http://h/", "flags": 32, "code": 0, "url": "http://h/", "scheme": "http", "host": "h", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://@h/", "flags": 32, "code": 8, "curl788": true},
  {"in": "ftp://u:p@h:21/dir/f.txt;type=i", "flags": 0, "code": 0, "url": "ftp://u:p@h:21/dir/f.txt;type=i", "scheme": "ftp", "user": "u", "password": "p", "host": "h", "port": "21", "path": "/dir/f.txt;type=i", "defport": "21", "curl788": true},
  {"in": "https://h:443/", "flags": 0, "code": 0, "url": "https://h:443/", "scheme": "https", "host": "h", "port": "443", "path": "/", "defport": "443", "curl788": true},
  {"in": "ldap://h/o=x?y", "flags": 0, "code": 0, "url": "ldap://h/o=x?y", "scheme": "ldap", "host": "h", "path": "/o=x", "query": "y", "defport": "389", "curl788": true},
  {"in": "mqtt://h", "flags": 0, "code": 0, "url": "mqtt://h/", "scheme": "mqtt", "host": "h", "path": "/", "defport": "1883", "curl788": true},
  {"in": "sftp://h/~/x", "flags": 0, "code": 0, "url": "sftp://h/~/x", "scheme": "sftp", "host": "h", "path": "/~/x", "defport": "22", "curl788": true},
  {"in": "smb://h/share", "flags": 0, "code": 0, "url": "smb://h/share", "scheme": "smb", "host": "h", "path": "/share", "defport": "445", "curl788": true},
  {"in": "telnet://h", "flags": 0, "code": 0, "url": "telnet://h/", "scheme": "telnet", "host": "h", "path": "/", "defport": "23", "curl788": true},
  {"in": "tftp://h/f", "flags": 0, "code": 0, "url": "tftp://h/f", "scheme": "tftp", "host": "h", "path": "/f", "defport": "69", "curl788": true},
  {"in": "gopher://h/1", "flags": 0, "code": 0, "url": "gopher://h/1", "scheme": "gopher", "host": "h", "path": "/1", "defport": "70", "curl788": true},
  {"in": "http://h.example.com./", "flags": 0, "code": 0, "url": "http://h.example.com./", "scheme": "http", "host": "h.example.com.", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h.example.com../", "flags": 0, "code": 21, "curl788": false, "why": "URL-SYNTAX.md: more than one trailing dot is rejected"},
  {"in": "http://127.0.0.1./", "flags": 0, "code": 0, "url": "http://127.0.0.1/", "scheme": "http", "host": "127.0.0.1", "path": "/", "defport": "80", "curl788": false, "why": "URL-SYNTAX.md: a trailing dot after a numeric IPv4 address is removed"},
  {"in": "http://h.:80/", "flags": 0, "code": 0, "url": "http://h.:80/", "scheme": "http", "host": "h.", "port": "80", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://a_b.com/", "flags": 0, "code": 0, "url": "http://a_b.com/", "scheme": "http", "host": "a_b.com", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://xn--rksmrgs-5wao1o.josefsson.org/", "flags": 0, "code": 0, "url": "http://xn--rksmrgs-5wao1o.josefsson.org/", "scheme": "http", "host": "xn--rksmrgs-5wao1o.josefsson.org", "path": "/", "defport": "80", "curl788": true},
  {"in": "http://h/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "flags": 0, "code": 0, "url": "http://h/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "scheme": "http", "host": "h", "path": "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "defport": "80", "curl788": true},
];

const PARTS = [
  ['url', CURLUPART.URL],
  ['scheme', CURLUPART.SCHEME],
  ['user', CURLUPART.USER],
  ['password', CURLUPART.PASSWORD],
  ['options', CURLUPART.OPTIONS],
  ['host', CURLUPART.HOST],
  ['zoneid', CURLUPART.ZONEID],
  ['port', CURLUPART.PORT],
  ['path', CURLUPART.PATH],
  ['query', CURLUPART.QUERY],
  ['fragment', CURLUPART.FRAGMENT],
] as const;

test('parse table: codes and every part', () => {
  assert.ok(TABLE.length > 150);
  for (const row of TABLE) {
    const u = new CurlUrl();
    const label = `${JSON.stringify(row.in)} flags=${row.flags}`;
    assert.equal(u.set(CURLUPART.URL, row.in, row.flags), row.code, `set code for ${label}`);
    if (row.code !== CURLUE.OK) {
      // A failed set leaves the handle empty.
      assert.equal(u.get(CURLUPART.URL).code, CURLUE.NO_HOST, label);
      continue;
    }
    for (const [name, part] of PARTS) {
      const got = u.get(part);
      const want = row[name];
      if (want === undefined) assert.notEqual(got.code, CURLUE.OK, `${name} should be missing for ${label}`);
      else assert.deepEqual(got, { code: CURLUE.OK, value: want }, `${name} for ${label}`);
    }
    const dp = u.get(CURLUPART.PORT, CURLU.DEFAULT_PORT);
    assert.equal(dp.value ?? null, row.defport ?? null, `default port for ${label}`);
  }
});

test('parse table: every deliberate difference from 7.88.1 is explained', () => {
  for (const row of TABLE) if (!row.curl788) assert.ok(row.why, row.in);
});
