// strftime() in the POSIX locale, always UTC, plus curl's %f (microseconds),
// for -w's %time{format}.

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const p2 = (n: number, c = '0'): string => String(n).padStart(2, c);

function dayOfYear(d: Date): number {
  return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000);
}

/** ISO 8601 week-based year and week number. */
function isoWeek(d: Date): { year: number; week: number } {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = (t.getUTCDay() + 6) % 7; // Monday = 0
  t.setUTCDate(t.getUTCDate() - day + 3); // Thursday of this week decides the year
  const year = t.getUTCFullYear();
  const week = 1 + Math.round((t.getTime() - Date.UTC(year, 0, 4) + ((new Date(Date.UTC(year, 0, 4)).getUTCDay() + 6) % 7) * 86400000 - 3 * 86400000) / 604800000);
  return { year, week };
}

/** Formats `us` (microseconds since the epoch) with a strftime format, in UTC. */
export function strftimeUtc(format: string, us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const yday = dayOfYear(d);
  const conv = (c: string): string | undefined => {
    switch (c) {
      case 'a': return DAYS[d.getUTCDay()]!.slice(0, 3);
      case 'A': return DAYS[d.getUTCDay()]!;
      case 'b': case 'h': return MONTHS[d.getUTCMonth()]!.slice(0, 3);
      case 'B': return MONTHS[d.getUTCMonth()]!;
      case 'c': return `${conv('a')} ${conv('b')} ${conv('e')} ${conv('T')} ${d.getUTCFullYear()}`;
      case 'C': return p2(Math.floor(d.getUTCFullYear() / 100));
      case 'd': return p2(d.getUTCDate());
      case 'D': return `${conv('m')}/${conv('d')}/${conv('y')}`;
      case 'e': return p2(d.getUTCDate(), ' ');
      case 'f': return String(Math.floor(us % 1000000)).padStart(6, '0');
      case 'F': return `${d.getUTCFullYear()}-${conv('m')}-${conv('d')}`;
      case 'G': return String(isoWeek(d).year);
      case 'g': return p2(isoWeek(d).year % 100);
      case 'H': return p2(h);
      case 'I': return p2(h12);
      case 'j': return String(yday + 1).padStart(3, '0');
      case 'k': return p2(h, ' ');
      case 'l': return p2(h12, ' ');
      case 'm': return p2(d.getUTCMonth() + 1);
      case 'M': return p2(d.getUTCMinutes());
      case 'n': return '\n';
      case 'p': return h < 12 ? 'AM' : 'PM';
      case 'P': return h < 12 ? 'am' : 'pm';
      case 'r': return `${conv('I')}:${conv('M')}:${conv('S')} ${conv('p')}`;
      case 'R': return `${conv('H')}:${conv('M')}`;
      case 's': return String(Math.floor(us / 1000000));
      case 'S': return p2(d.getUTCSeconds());
      case 't': return '\t';
      case 'T': return `${conv('H')}:${conv('M')}:${conv('S')}`;
      case 'u': return String(d.getUTCDay() || 7);
      case 'U': return p2(Math.floor((yday + 7 - d.getUTCDay()) / 7));
      case 'V': return p2(isoWeek(d).week);
      case 'w': return String(d.getUTCDay());
      case 'W': return p2(Math.floor((yday + 7 - ((d.getUTCDay() + 6) % 7)) / 7));
      case 'x': return conv('D');
      case 'X': return conv('T');
      case 'y': return p2(d.getUTCFullYear() % 100);
      case 'Y': return String(d.getUTCFullYear());
      case 'z': return '+0000';
      case 'Z': return 'GMT';
      case '%': return '%';
      default: return undefined;
    }
  };
  return format.replace(/%(.)/gs, (whole, c: string) => conv(c) ?? whole);
}
