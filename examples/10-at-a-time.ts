// A port of libcurl's 10-at-a-time.c: download many URLs with at most ten in
// flight, adding a new transfer each time one finishes.
//
//   node dist/examples/10-at-a-time.js URL [URL ...]
import { Multi, Easy, CURLOPT, CURLINFO, CURLMSG, CURLMOPT, easyStrerror } from '../src/index.js';

const MAX_PARALLEL = 10;

export async function tenAtATime(urls: string[]): Promise<{ url: string; result: number; maxInFlight: number }[]> {
  const multi = new Multi();
  // limit the amount of simultaneous connections curl should allow
  multi.setopt(CURLMOPT.MAXCONNECTS, MAX_PARALLEL);
  const out: { url: string; result: number; maxInFlight: number }[] = [];
  let next = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const addTransfer = (i: number): void => {
    const e = new Easy();
    e.setopt(CURLOPT.URL, urls[i]!);
    e.setopt(CURLOPT.PRIVATE, urls[i]!);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    multi.addHandle(e);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
  };
  for (; next < Math.min(MAX_PARALLEL, urls.length); next++) addTransfer(next);

  let stillAlive = 1;
  do {
    stillAlive = multi.perform().runningHandles;
    for (let msg = multi.infoRead(); msg; msg = multi.infoRead()) {
      if (msg.msg !== CURLMSG.DONE) continue;
      const e = msg.easy;
      out.push({ url: e.getinfo(CURLINFO.PRIVATE) as string, result: msg.result, maxInFlight: 0 });
      multi.removeHandle(e);
      e.cleanup();
      inFlight--;
      if (next < urls.length) addTransfer(next++);
    }
    if (stillAlive || next < urls.length || inFlight > 0) await multi.poll(1000);
  } while (stillAlive || inFlight > 0);

  multi.cleanup();
  for (const o of out) o.maxInFlight = maxInFlight;
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  tenAtATime(process.argv.slice(2)).then((rs) => {
    for (const r of rs) console.log(`R: ${r.result} - ${easyStrerror(r.result)} <${r.url}>`);
  });
}
