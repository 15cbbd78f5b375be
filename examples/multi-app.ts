// A port of libcurl's multi-app.c: several transfers on one multi handle,
// driven by the perform()/poll() loop, then each transfer's result reported
// by reading the multi's messages.
//
//   node dist/examples/multi-app.js URL1 URL2
import { Multi, Easy, CURLOPT, CURLMSG, CURLM, easyStrerror } from '../src/index.js';

export async function multiApp(urls: string[]): Promise<{ url: string; result: number }[]> {
  const handles = urls.map((url) => {
    const e = new Easy();
    e.setopt(CURLOPT.URL, url);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length); // discard bodies
    return e;
  });
  const multi = new Multi();
  for (const e of handles) multi.addHandle(e);

  let stillRunning = 1;
  while (stillRunning) {
    const { code, runningHandles } = multi.perform();
    stillRunning = runningHandles;
    if (code !== CURLM.OK) break;
    if (stillRunning) {
      const r = await multi.poll(1000);
      if (r.code !== CURLM.OK) break;
    }
  }

  const results: { url: string; result: number }[] = [];
  for (let msg = multi.infoRead(); msg; msg = multi.infoRead()) {
    if (msg.msg === CURLMSG.DONE) results.push({ url: urls[handles.indexOf(msg.easy)]!, result: msg.result });
  }
  for (const e of handles) {
    multi.removeHandle(e);
    e.cleanup();
  }
  multi.cleanup();
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  multiApp(process.argv.slice(2)).then((rs) => {
    for (const r of rs) console.log(`${r.url} transfer completed with status ${r.result} (${easyStrerror(r.result)})`);
  });
}
