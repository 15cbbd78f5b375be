// One easy.perform() with the body collected: the shape most integration tests need.
import { Easy, CURLOPT, CURLINFO_TYPE } from '../../src/index.js';

export interface Fetched {
  code: number;
  body: string;
  /** the same body, as the bytes that arrived */
  bytes: Buffer;
  easy: Easy;
}

/** Perform `url` on a new handle; `setup` adds options. The caller cleans the handle up if it wants. */
export async function fetchUrl(url: string, setup?: (e: Easy) => void): Promise<Fetched> {
  const easy = new Easy();
  const chunks: Buffer[] = [];
  easy.setopt(CURLOPT.URL, url);
  easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (chunks.push(Buffer.from(d)), d.length));
  setup?.(easy);
  const code = await easy.perform();
  const bytes = Buffer.concat(chunks);
  return { code, body: bytes.toString('latin1'), bytes, easy };
}

/** Turn VERBOSE on and collect its informational texts (libcurl's "* " lines), one per entry. */
export function verboseLines(e: Easy): string[] {
  const lines: string[] = [];
  e.setopt(CURLOPT.VERBOSE, 1);
  e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, data: Buffer) => {
    if (type === CURLINFO_TYPE.TEXT) lines.push(data.toString('latin1').trimEnd());
    return 0;
  });
  return lines;
}
