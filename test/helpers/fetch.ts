// One easy.perform() with the body collected: the shape most integration tests need.
import { Easy, CURLOPT } from '../../src/index.js';

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
