// dedotdotify: RFC 3986 section 5.2.4 "remove_dot_segments", the way curl's
// lib/urlapi.c applies it to a URL path (without query or fragment) unless
// CURLU_PATH_AS_IS is set. Percent-encoded dots ("%2e") are not dots here,
// as in curl.

export function removeDotSegments(input: string): string {
  // The path always starts with a slash and a lone slash has no dot.
  if (input.length < 2 || !input.includes('.')) return input;
  let out = '';
  let rest = input;
  while (rest.length > 0) {
    if (rest.startsWith('./')) {
      rest = rest.slice(2); // A
    } else if (rest.startsWith('../')) {
      rest = rest.slice(3); // A
    } else if (rest === '.' || rest === '..') {
      break; // D
    } else if (rest.startsWith('/./')) {
      rest = rest.slice(2); // B
    } else if (rest === '/.') {
      out += '/'; // B
      break;
    } else if (rest.startsWith('/../')) {
      rest = rest.slice(3); // C
      out = out.slice(0, Math.max(0, out.lastIndexOf('/')));
    } else if (rest === '/..') {
      out = out.slice(0, Math.max(0, out.lastIndexOf('/'))) + '/'; // C
      break;
    } else {
      // E: move the first segment (with its leading slash) to the output.
      const next = rest.indexOf('/', 1);
      const cut = next < 0 ? rest.length : next;
      out += rest.slice(0, cut);
      rest = rest.slice(cut);
    }
  }
  return out;
}
