// The application's header list (CURLOPT_HTTPHEADER, CURLOPT_PROXYHEADER)
// read the one way libcurl reads it, for everything that needs to know what
// goes on the wire: the request head, and the HTTP signature that has to
// cover exactly those lines (src/auth/httpsig.ts). Sans-I/O, no imports.

/** One entry of the list: the name it overrides, and the line it sends (null: none). */
export interface CustomHeader {
  /** what precedes the first ':' or ';', as given (not trimmed) */
  readonly name: string;
  /** the line that goes out, or null when the entry sends nothing */
  readonly line: string | null;
}

/** libcurl's ISSPACE: ASCII only (JS's \s would also call U+2028 or a 0xA0 byte blank) */
const NOT_BLANK = /[^ \t\n\v\f\r]/;

/**
 * CURLOPT_HTTPHEADER (or PROXYHEADER) as Curl_add_custom_headers() and Curl_checkheaders() read
 * it. An entry's name is what precedes its first ':' or ';' (as given, not
 * trimmed: "Accept :" names nothing libcurl adds), and it replaces the
 * internal header of that name whether or not it sends anything itself.
 * What goes out is the entry exactly as given when it has a colon and a
 * non-blank value; "Name;" (the semicolon last) goes out as "Name:"; blank
 * values and "Name;..." send nothing; entries with neither ':' nor ';' are
 * ignored.
 */
export function customHeaders(list: readonly string[] | null): CustomHeader[] {
  const out: CustomHeader[] = [];
  for (const raw of list ?? []) {
    const sep = raw.search(/[:;]/);
    if (sep <= 0) continue;
    const name = raw.slice(0, sep);
    const colon = raw.indexOf(':');
    if (colon > 0) {
      out.push({ name, line: NOT_BLANK.test(raw.slice(colon + 1)) ? raw : null });
    } else {
      // no colon: only a semicolon as the very last character makes a header with no value
      out.push({ name, line: raw.endsWith(';') ? `${raw.slice(0, -1)}:` : null });
    }
  }
  return out;
}

/** The lines a header list sends, in order: what a receiver sees of it when nothing else filters it. */
export function sentLines(headers: readonly CustomHeader[]): string[] {
  const out: string[] = [];
  for (const h of headers) if (h.line !== null) out.push(h.line);
  return out;
}
