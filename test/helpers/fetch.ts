// One easy.perform() with the body collected: the shape most integration tests need.
import { Easy, CURLOPT } from '../../src/index.js';

export interface Fetched {
  code: number;
  body: string;
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
  return { code, body: Buffer.concat(chunks).toString('latin1'), easy };
}
