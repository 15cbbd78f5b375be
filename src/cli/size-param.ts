// Numeric parameters of connection flags, parsed as curl's tool does:
// GetSizeParameter() for --limit-rate and --max-filesize (a number with an
// optional G/M/K/B suffix, 1024 based) and the N[-M] range of --local-port.
import { ParamError } from './param-error.js';
import { cStrtol, LONG_MAX } from './tool-numbers.js';

/**
 * curl 7.88's GetSizeParameter(): curlx_strtoofft(arg, &unit, 10) — blanks
 * skipped, then a '-' or other white space is "invalid", a value past
 * curl_off_t too — then at most one unit letter. The two warnings are
 * warnf()'s (muted by -s); the error is "badly used" either way. `which`
 * names the option in the warnings ("max-filesize", "rate").
 */
export function sizeParameter(flag: string, arg: string, which: string): number {
  const bad = (warning: string): ParamError => {
    const e = ParamError.option(flag, 'BAD_USE');
    e.warnings = [warning];
    return e;
  };
  let i = 0;
  while (arg[i] === ' ' || arg[i] === '\t') i++;
  const r = /^[-\s]/.test(arg.slice(i)) ? null : cStrtol(arg.slice(i));
  if (!r || r.erange || r.end === 0) throw bad(`invalid number specified for ${which}\n`);
  let unit = arg.slice(i + r.end);
  if (unit === '') unit = 'b';
  else if (unit.length > 1) unit = 'w'; // unsupported
  const scale = ({ g: 1024n ** 3n, m: 1024n ** 2n, k: 1024n, b: 1n } as Record<string, bigint>)[unit.toLowerCase()];
  if (scale === undefined) throw bad(`unsupported ${which} unit. Use G, M, K or B!\n`);
  if (r.value > LONG_MAX / scale) throw ParamError.option(flag, 'NUMBER_TOO_LARGE');
  return Number(r.value * scale);
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
