// The tool's DEBUGFUNCTION (curl's tool_debug_cb): one per command line,
// shared by every transfer. The trace file is opened at the first call and
// kept for the whole run; if it cannot be opened the trace goes to stderr
// (curl tries again on the next call, so do we).
import { openSync, writeSync, closeSync } from 'node:fs';
import { CURLINFO, type Easy } from '../index.js';
import { TraceFormatter, traceIds, traceTimestamp } from './trace-format.js';
import type { TraceSettings } from './trace-settings.js';

export interface TraceStdio {
  stdout(b: string): void;
  stderr(b: string): void;
  readonly stdoutIsTTY: boolean;
}

export class ToolTrace {
  readonly #settings: TraceSettings;
  readonly #stdio: TraceStdio;
  readonly #formatter: TraceFormatter;
  #fd: number | undefined;

  constructor(settings: TraceSettings, stdio: TraceStdio) {
    this.#settings = settings;
    this.#stdio = stdio;
    // curl leaves out "[N bytes data]" when the body shows on the terminal the trace goes to
    const toStd = settings.dump === '%' || settings.dump === '-';
    this.#formatter = new TraceFormatter(settings.mode === 'none' ? 'plain' : settings.mode, toStd && stdio.stdoutIsTTY);
  }

  get enabled(): boolean {
    return this.#settings.mode !== 'none';
  }

  /** The trace goes to stdout (--trace -): it may push back there. */
  get toStdout(): boolean {
    return this.enabled && this.#settings.dump === '-';
  }

  /** The DEBUGFUNCTION to set on every Easy. */
  readonly callback = (easy: Easy, type: number, data: Buffer): number => {
    let prefix = this.#settings.time ? traceTimestamp((performance.timeOrigin + performance.now()) * 1000) : '';
    if (this.#settings.ids) {
      const xfer = easy.getinfo(CURLINFO.XFER_ID) as number;
      const conn = easy.getinfo(CURLINFO.CONN_ID) as number;
      prefix += traceIds(xfer, conn);
    }
    const text = this.#formatter.format(type, data, prefix);
    if (text) this.#write(text);
    return 0;
  };

  #write(text: string): void {
    const dump = this.#settings.dump;
    if (dump === '-') return this.#stdio.stdout(text);
    if (dump !== '%' && this.#fd === undefined) {
      try {
        this.#fd = openSync(dump, 'w');
      } catch {
        // curl falls back to stderr when the trace file cannot be created
      }
    }
    if (this.#fd === undefined) return this.#stdio.stderr(text);
    writeSync(this.#fd, Buffer.from(text, 'latin1'));
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
