// --help [category|all] and --manual, laid out as curl 7.88's tool_help.c:
// " %-*s %s" rows where the column width is the longest option text, cut
// back so that option + description fit 80 columns.
import { CLI_OPTIONS, type CliOption } from './option-table.js';

/** Category descriptions (curl's categories[] table). */
export const CATEGORIES: readonly (readonly [string, string])[] = [
  ['auth', 'Different types of authentication methods'],
  ['connection', 'Low level networking operations'],
  ['curl', 'The command line tool itself'],
  ['deprecated', 'Legacy'],
  ['dns', 'General DNS options'],
  ['file', 'FILE protocol options'],
  ['ftp', 'FTP protocol options'],
  ['global', 'Global options'],
  ['http', 'HTTP and HTTPS protocol options'],
  ['imap', 'IMAP protocol options'],
  ['ldap', 'LDAP protocol options'],
  ['misc', "Options that don't fit into any other category"],
  ['output', 'Filesystem output'],
  ['pop3', 'POP3 protocol options'],
  ['post', 'HTTP Post specific options'],
  ['proxy', 'All options related to proxies'],
  ['scp', 'SCP protocol options'],
  ['sftp', 'SFTP protocol options'],
  ['smtp', 'SMTP protocol options'],
  ['ssh', 'SSH protocol options'],
  ['telnet', 'TELNET protocol options'],
  ['tftp', 'TFTP protocol options'],
  ['timeout', 'Timeouts and delays'],
  ['tls', 'All TLS/SSL related options'],
  ['upload', 'All options for uploads'],
  ['verbose', 'Options related to any kind of command line output of curl'],
];

const USAGE = 'Usage: tscurl [options...] <url>\n';

function optText(o: CliOption): string {
  return `${o.short ? `-${o.short}, ` : '    '}--${o.long}${o.arg ? ` ${o.arg}` : ''}`;
}

/** Rows for the options in one category ('all' for every option). */
export function categoryRows(category: string): string {
  const opts = CLI_OPTIONS.filter((o) => category === 'all' || o.categories.includes(category));
  let longopt = 5;
  let longdesc = 5;
  for (const o of opts) {
    longopt = Math.max(longopt, optText(o).length);
    longdesc = Math.max(longdesc, o.help.length);
  }
  if (longopt + longdesc > 80) longopt = 80 - longdesc;
  return opts.map((o) => ` ${optText(o).padEnd(longopt, ' ')} ${o.help}\n`).join('');
}

function categoryList(): string {
  return CATEGORIES.map(([n, d]) => ` ${n.padEnd(11, ' ')} ${d}\n`).join('');
}

/** The text `tscurl --help [category]` prints on stdout. */
export function helpText(category?: string): string {
  if (category === undefined) {
    return (
      USAGE +
      categoryRows('important') +
      'This is not the full help, this menu is stripped into categories.\n' +
      'Use "--help category" to get an overview of all categories.\n' +
      'For all options use the manual or "--help all".\n'
    );
  }
  const cat = category.toLowerCase();
  if (cat === 'all') return USAGE + categoryRows('all');
  if (cat === 'category') return USAGE + categoryList();
  const known = CATEGORIES.find(([n]) => n === cat);
  if (known) return `${USAGE}${known[0]}: ${known[1]}\n${categoryRows(cat)}`;
  return `${USAGE}Invalid category provided, here is a list of all categories:\n\n${categoryList()}`;
}

/**
 * --manual: curl's manual page (built from the same cmdline-opts docs as
 * the option table), kept gzip-compressed in the code as curl's
 * tool_hugehelp.c does, so it works from an installed package with no
 * extra file. `--manual` with a stdout that is a terminal could page it;
 * like curl we just print it.
 */
export async function manualText(): Promise<{ stdout: string; warning?: string }> {
  const [{ MANUAL_GZ_BASE64 }, { gunzipSync }] = await Promise.all([import('./manual-data.js'), import('node:zlib')]);
  return { stdout: gunzipSync(Buffer.from(MANUAL_GZ_BASE64, 'base64')).toString('utf8') };
}
