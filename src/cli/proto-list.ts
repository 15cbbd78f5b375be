// curl's --proto / --proto-redir syntax (tool_paramhlp.c proto2num) turned into
// the comma list CURLOPT_PROTOCOLS_STR takes: tokens separated by commas, each
// with modifiers '+' (allow, the default), '-' (deny) or '=' (allow only
// this), "all" standing for every protocol built in. Starting from all of
// them, the tokens apply left to right. A set that ends up empty stays empty
// (CVE-2024-2004: "-all,-http" must not fall back to the default set).
import { PROTOCOLS } from './version.js';

export function protoList(spec: string, warn: (text: string) => void): { ok: true; list: string } | { ok: false } {
  let set = new Set(PROTOCOLS);
  for (const raw of spec.split(/[ ,]/)) {
    if (raw === '') continue;
    let action: 'allow' | 'deny' | 'set' = 'allow';
    let i = 0;
    for (; i < raw.length && !/[A-Za-z0-9]/.test(raw[i]!); i++) {
      const m = raw[i];
      if (m === '=') action = 'set';
      else if (m === '-') action = 'deny';
      else if (m === '+') action = 'allow';
      else return { ok: false };
    }
    const token = raw.slice(i).toLowerCase();
    if (token === '') return { ok: false }; // modifiers alone
    if (token === 'all') {
      set = action === 'deny' ? new Set() : new Set(PROTOCOLS);
      continue;
    }
    if (!PROTOCOLS.includes(token)) {
      // curl's proto2num(): "=unknown" alone allows nothing, as if no protocol were named
      if (action === 'set') set = new Set();
      warn(`unrecognized protocol '${token}'\n`);
      continue;
    }
    if (action === 'set') set = new Set();
    if (action === 'deny') set.delete(token);
    else set.add(token);
  }
  return { ok: true, list: [...set].join(',') };
}
