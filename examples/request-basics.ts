// request(): one call per request, the body as a stream or through a helper.
import { request, CurlError } from '../src/index.js';

export async function requestBasics(base: string): Promise<{ status: number; json: unknown; text: string; failed: number }> {
  // a GET with curl options by name, parsed as JSON
  const res = await request(`${base}/users/1`, { options: { FOLLOWLOCATION: 1, TIMEOUT_MS: 10_000 } });
  const json = await res.json();

  // a POST of a JSON string, retried by curl's --retry rules on 503 and friends
  const posted = await request(`${base}/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'ada' }),
    retry: { retries: 3, delayMs: 10 },
  });
  const text = await posted.text();

  // a failure rejects with libcurl's CURLcode
  let failed = 0;
  try {
    await request('http://127.0.0.1:9/', { options: { CONNECTTIMEOUT_MS: 2000 } });
  } catch (err) {
    if (err instanceof CurlError) failed = err.code; // 7: CURLE_COULDNT_CONNECT
  }
  return { status: res.status, json, text, failed };
}
