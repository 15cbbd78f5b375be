// curl's .netrc parser (lib/netrc.c), sans-I/O: give it the file's text, the
// host, and the login already known (from the URL), get back the login and
// password to use. Tokens are separated by whitespace, '#' starts a comment
// where a token would start, "quoted strings" may hold spaces and the escapes
// \" \\ \n \r \t. "macdef" skips lines up to the next empty line.

/** NETRC_SUCCESS 0, NETRC_NO_MATCH (or a missing file) 1, NETRC_SYNTAX_ERROR -1 */
export interface NetrcResult {
  code: 0 | 1 | -1;
  login?: string;
  password?: string;
}

/** Split one line into tokens; null on a broken quoted string. */
export function netrcTokens(line: string): string[] | null {
  const toks: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t' || line[i] === '\r') i++;
    if (i >= line.length || line[i] === '#') return toks;
    if (line[i] !== '"') {
      const start = i;
      while (i < line.length && !/\s/.test(line[i]!)) i++;
      toks.push(line.slice(start, i));
      i++;
      continue;
    }
    i++;
    let tok = '';
    let escape = false;
    let endquote = false;
    while (i < line.length) {
      let s = line[i]!;
      if (escape) {
        escape = false;
        s = s === 'n' ? '\n' : s === 'r' ? '\r' : s === 't' ? '\t' : s;
      } else if (s === '\\') {
        escape = true;
        i++;
        continue;
      } else if (s === '"') {
        i++;
        endquote = true;
        break;
      }
      tok += s;
      i++;
    }
    if (escape || !endquote) return null;
    toks.push(tok);
  }
}

type State = 'nothing' | 'hostfound' | 'hostvalid' | 'macdef';

/**
 * Look `host` up in netrc text with curl's parsenetrc() state machine as it
 * stands after the CVE-2024-11053 rework (which curl 7.88.1 as shipped by
 * Debian carries) and curl 8's fixes for login-less entries.
 *
 * Without a `login` (a user name from the URL) the first entry of the host
 * with a login and a password wins. With one, the search ends when our login
 * and a password have been seen ("machine" clears the password and what was
 * found, but not whether our login was seen; a password counts even when it
 * came before our login in the entry), or at the next "machine" after an
 * entry of our host that had a password and no other login. At the end of
 * the file a host that was found answers with what is left: a blank password
 * when our login was seen without one, no match when the last entry named
 * another login or held nothing.
 */
export function parseNetrc(text: string, host: string, login?: string | null): NetrcResult {
  const specific = login !== undefined && login !== null && login !== '';
  let user: string | undefined = specific ? login! : undefined;
  let password: string | undefined;
  let state: State = 'nothing';
  let keyword: 'login' | 'password' | null = null;
  let foundLogin = false;
  let foundPassword = false;
  let ourLogin = false;
  /** the entry read last (since machine or default) named another login */
  let otherLogin = false;
  let matched = false;
  const forget = (): void => {
    otherLogin = false;
    password = undefined;
    if (!specific) user = undefined;
  };
  const newEntry = (): void => {
    keyword = null;
    foundLogin = foundPassword = false;
    forget();
  };
  scan: for (const full of text.split('\n')) {
    // curl reads each line as a C string: a NUL byte ends it, and never reaches a password
    // (its test 793: `"password"<NUL>` named no password, tscurl sent PASS with a NUL byte)
    const nul = full.indexOf('\0');
    const line = nul < 0 ? full : full.slice(0, nul);
    if (state === 'macdef') {
      // a macro body runs up to the next empty line
      if (line === '' || line[0] === '\r') state = 'nothing';
      else continue;
    }
    const toks = netrcTokens(line);
    if (toks === null) return { code: -1 };
    for (const tok of toks) {
      const k = tok.toLowerCase();
      switch (state) {
        case 'nothing':
          if (k === 'macdef') state = 'macdef';
          else if (k === 'machine') {
            state = 'hostfound';
            newEntry();
            ourLogin = false;
          } else if (k === 'default') {
            state = 'hostvalid';
            matched = true;
          }
          break;
        case 'macdef':
          break; // the macro's name; its body follows on the next lines
        case 'hostfound':
          if (k === host.toLowerCase()) {
            state = 'hostvalid';
            matched = true;
          } else state = 'nothing';
          break;
        case 'hostvalid':
          if (keyword === 'login') {
            if (specific) {
              ourLogin = tok === login;
              otherLogin = !ourLogin;
            }
            else {
              ourLogin = true;
              user = tok;
            }
            foundLogin = true;
            keyword = null;
          } else if (keyword === 'password') {
            // any password counts as found, ours or not: with a specific
            // login the next "login <ours>" ends the search with it
            password = tok;
            foundPassword = true;
            keyword = null;
          } else if (k === 'login' || k === 'password') keyword = k;
          else if (k === 'machine') {
            // an entry of our host with a password ends the search when it
            // had no login, or ours, or we look for no login in particular
            if (foundPassword && (!specific || ourLogin || !foundLogin)) break scan;
            state = 'hostfound';
            newEntry();
          } else if (k === 'default') forget();
          if (foundLogin && foundPassword && ourLogin) break scan;
          break;
      }
    }
  }
  if (!matched) return { code: 1 };
  // the last entry named another login: its password is not ours
  if (specific && otherLogin && !ourLogin) return { code: 1 };
  if (password === undefined && ourLogin) password = '';
  else if (user === undefined && password === undefined) return { code: 1 };
  const out: NetrcResult = { code: 0 };
  if (user !== undefined) out.login = user;
  if (password !== undefined) out.password = password;
  return out;
}
