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

interface Entry {
  host: string | null; // null for "default"
  login?: string;
  password?: string;
}

/** Tokenise the whole text into machine/default entries, skipping macdef bodies. */
export function netrcEntries(text: string): Entry[] | null {
  const entries: Entry[] = [];
  let cur: Entry | null = null;
  let pending: 'machine' | 'login' | 'password' | null = null;
  let macdef = false;
  for (const line of text.split('\n')) {
    if (macdef) {
      // a macro body runs up to the next empty line
      if (line === '' || line[0] === '\r') macdef = false;
      continue;
    }
    const toks = netrcTokens(line);
    if (toks === null) return null;
    for (const tok of toks) {
      if (pending === 'machine') {
        cur = { host: tok };
        entries.push(cur);
        pending = null;
        continue;
      }
      if (pending && cur) {
        cur[pending] = tok;
        pending = null;
        continue;
      }
      pending = null;
      const k = tok.toLowerCase();
      if (k === 'machine') pending = 'machine';
      else if (k === 'default') {
        cur = { host: null };
        entries.push(cur);
      } else if (k === 'macdef') {
        macdef = true;
        cur = null;
        break; // the macro name; its body follows on the next lines
      } else if ((k === 'login' || k === 'password') && cur) pending = k;
    }
  }
  return entries;
}

/**
 * Look `host` up in netrc text. With `login` given (a user name from the
 * URL), only that user's password is taken — from an entry with that login,
 * or from a login-less entry, whichever comes first.
 */
export function parseNetrc(text: string, host: string, login?: string | null): NetrcResult {
  const entries = netrcEntries(text);
  if (entries === null) return { code: -1 };
  const specific = login !== undefined && login !== null && login !== '';
  for (const e of entries) {
    if (e.host !== null && e.host.toLowerCase() !== host.toLowerCase()) continue;
    if (!specific) {
      if (e.login === undefined && e.password === undefined) continue;
      // a login without a password gets a blank one, as curl does
      if (e.login !== undefined) return { code: 0, login: e.login, password: e.password ?? '' };
      return { code: 0, password: e.password! };
    }
    if (e.login === undefined) {
      if (e.password !== undefined) return { code: 0, login: login!, password: e.password };
      continue;
    }
    if (e.login === login) return { code: 0, login: login!, password: e.password ?? '' };
  }
  return { code: 1 };
}
