// fetch() on tscurl: every request of this dispatcher is a libcurl transfer with these options.
import { fetch } from 'undici';
import { CurlDispatcher } from '../src/dispatcher/index.js';

export async function fetchThroughCurl(url: string, proxy: string): Promise<string> {
  const dispatcher = new CurlDispatcher({
    options: { PROXY: proxy, PROXYUSERPWD: 'me:secret', LOW_SPEED_LIMIT: 1, LOW_SPEED_TIME: 30 },
  });
  try {
    const res = await fetch(url, { dispatcher });
    return await res.text();
  } finally {
    await dispatcher.close();
  }
}
