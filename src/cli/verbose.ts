// -v output as curl's tool_cb_dbg.c prints it without --trace: "* " text,
// "> " request header lines, "< " response header lines, and one
// "{ [N bytes data]" / "} [N bytes data]" note per run of body data unless
// stdout is a terminal. Pure: give it (type, bytes), get the text to write.

const PREFIX = ['* ', '< ', '> ', '{ ', '} ', '{ ', '} '] as const;

export class VerboseTrace {
  #newl = false;
  #tracedData = false;
  readonly #stdoutIsTTY: boolean;

  constructor(stdoutIsTTY: boolean) {
    this.#stdoutIsTTY = stdoutIsTTY;
  }

  /** Text for one DEBUGFUNCTION call (CURLINFO_TEXT .. SSL_DATA_OUT). */
  format(type: number, data: Buffer): string {
    const prefix = PREFIX[type];
    if (prefix === undefined) return '';
    if (type >= 3) {
      if (this.#tracedData || this.#stdoutIsTTY) return '';
      const out = (this.#newl ? '' : prefix) + `[${data.length} bytes data]\n`;
      this.#newl = false;
      this.#tracedData = true;
      return out;
    }
    const text = data.toString('latin1');
    let out = '';
    if (type === 2) {
      // request headers come as one block: prefix every line
      let st = 0;
      for (let i = 0; i < text.length - 1; i++) {
        if (text[i] === '\n') {
          out += (this.#newl ? '' : prefix) + text.slice(st, i + 1);
          st = i + 1;
          this.#newl = false;
        }
      }
      if (text.length) out += (this.#newl ? '' : prefix) + text.slice(st);
    } else {
      out = (this.#newl ? '' : prefix) + text;
    }
    this.#newl = text.length > 0 && !text.endsWith('\n');
    this.#tracedData = false;
    return out;
  }
}
