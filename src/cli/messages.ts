// curl's tool messages (tool_msgs.c): warnf() and notef() print their text
// cut into lines of at most 79 columns, each line starting with the prefix;
// a cut happens at the last space that fits (the space stays at the end of
// the line). Warnings are muted by -s; notes only show with -v/--trace.

const WIDTH = 79;

/** curl's voutf(): the whole text with every line prefixed. */
export function wrapMessage(prefix: string, msg: string): string {
  const width = WIDTH - prefix.length;
  let out = '';
  let rest = msg;
  while (rest.length > 0) {
    out += prefix;
    if (rest.length > width) {
      let cut = width - 1;
      while (cut > 0 && !/\s/.test(rest[cut]!)) cut--;
      if (cut === 0) cut = width - 1;
      out += rest.slice(0, cut + 1) + '\n';
      rest = rest.slice(cut + 1);
    } else {
      out += rest;
      rest = '';
    }
  }
  return out;
}

/** The text is printed as given: curl's messages carry their own "\n" (a few do not). */
export const warnText = (msg: string): string => wrapMessage('Warning: ', msg);
export const noteText = (msg: string): string => wrapMessage('Note: ', msg);
