// Numeric parameters of connection flags, parsed as curl's tool does:
// GetSizeParameter() for --limit-rate and --max-filesize (a number with an
// optional G/M/K/B suffix, 1024 based) and the N[-M] range of --local-port.
import { ParamError } from './param-error.js';

/**
 * curl's GetSizeParameter: strtoll with base 0 (so 0x10 and 010 are numbers
 * too), then one optional unit letter. Anything else is "badly used".
 */
export function sizeParameter(flag: string, arg: string): number {
  const m = /^\s*(?:(0[xX][0-9a-fA-F]+)|(0[0-7]*)|([1-9]\d*))(.*)$/s.exec(arg);
  if (!m) throw ParamError.option(flag, 'BAD_USE');
  const value = m[1] ? parseInt(m[1].slice(2), 16) : m[2] ? parseInt(m[2], 8) || 0 : Number(m[3]);
  const unit = m[4] || 'b';
  if (unit.length > 1) throw ParamError.option(flag, 'BAD_USE');
  const scale: Record<string, number> = { g: 1024 ** 3, m: 1024 ** 2, k: 1024, b: 1 };
  const f = scale[unit.toLowerCase()];
  if (f === undefined) throw ParamError.option(flag, 'BAD_USE');
  const v = value * f;
  if (!Number.isSafeInteger(v)) throw ParamError.option(flag, 'NUMBER_TOO_LARGE');
  return v;
}

/** --local-port N[-M]: the first port and how many to try (CURLOPT_LOCALPORTRANGE). */
export function localPortRange(flag: string, arg: string): { port: number; range: number } {
  const m = /^(\d*)(.*)$/s.exec(arg)!;
  const bad = (): ParamError => ParamError.option(flag, 'BAD_USE');
  if (!m[1]) throw bad();
  const port = Number(m[1]);
  if (port > 65535) throw bad();
  if (!m[2]) return { port, range: 1 };
  // sscanf(" - %6s"): blanks, a dash, blanks, then the last port
  const r = /^\s*-\s*(\S{1,6})/.exec(m[2]);
  if (!r) return { port, range: 1 };
  if (!/^\d+$/.test(r[1]!) || Number(r[1]) > 65535) throw bad();
  const range = Number(r[1]) - (port - 1);
  if (range < 1) throw bad();
  return { port, range };
}
