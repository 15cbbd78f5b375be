// One scenario of parallel transfers on a multi handle, run by libcurl 7.88
// itself (Debian's libcurl.so.4, the one /usr/bin/curl uses, through
// python3's ctypes) and by tscurl's Multi, the same way: add the transfers,
// then perform(), read the DONE messages (remove each finished handle, add
// those that were waiting for it), poll(), until all are done. Each run
// answers its verbose info lines (CURLINFO_TEXT, through DEBUGFUNCTION) and
// a "## done NAME RESULT NUM_CONNECTS" line per finished transfer, in the
// order they came. A test that uses it asks requirePrograms(['python3',
// 'python3'], ['curl', 'curl']) first (the curl package brings libcurl4).
import { execFile } from 'node:child_process';
import { Easy, Multi, CURLOPT, CURLMOPT, CURLINFO } from '../../src/index.js';

export interface PlannedTransfer {
  name: string;
  url: string;
  pipewait?: boolean;
  /** CURLOPT_HTTP_VERSION */
  httpVersion?: number;
  cainfo?: string;
  fresh?: boolean;
  follow?: boolean;
  /** user:password, with CURLAUTH_ANY */
  anyauth?: string;
  /** added once the transfer of this name is done (else at the start) */
  after?: string;
}

export interface MultiPlan {
  maxHost?: number;
  maxTotal?: number;
  maxConnects?: number;
  maxStreams?: number;
  transfers: PlannedTransfer[];
}

// CURLOPT / CURLMOPT / CURLINFO numbers as in curl.h (shared/reference/*.tsv)
const PY = `
import ctypes, json, sys
plan = json.loads(sys.argv[1])
L = ctypes.CDLL('libcurl.so.4')
vp = ctypes.c_void_p
L.curl_easy_init.restype = vp
L.curl_multi_init.restype = vp
L.curl_easy_setopt.argtypes = [vp, ctypes.c_int, vp]
L.curl_multi_setopt.argtypes = [vp, ctypes.c_int, ctypes.c_long]
L.curl_multi_add_handle.argtypes = [vp, vp]
L.curl_multi_remove_handle.argtypes = [vp, vp]
L.curl_multi_perform.argtypes = [vp, ctypes.POINTER(ctypes.c_int)]
L.curl_multi_poll.argtypes = [vp, vp, ctypes.c_uint, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
class Msg(ctypes.Structure):
    _fields_ = [('msg', ctypes.c_int), ('easy', vp), ('result', ctypes.c_int)]
L.curl_multi_info_read.restype = ctypes.POINTER(Msg)
L.curl_multi_info_read.argtypes = [vp, ctypes.POINTER(ctypes.c_int)]
L.curl_easy_getinfo.argtypes = [vp, ctypes.c_int, vp]
out = []
WF = ctypes.CFUNCTYPE(ctypes.c_size_t, vp, ctypes.c_size_t, ctypes.c_size_t, vp)
DF = ctypes.CFUNCTYPE(ctypes.c_int, vp, ctypes.c_int, ctypes.POINTER(ctypes.c_char), ctypes.c_size_t, vp)
sink = WF(lambda p, s, n, u: s * n)
def dbg(h, kind, data, size, u):
    if kind == 0:
        out.append('* ' + ctypes.string_at(data, size).decode('latin1').rstrip())
    return 0
debug = DF(dbg)
keep = []
def num(e, opt, v):
    L.curl_easy_setopt(e, opt, vp(v))
def text(e, opt, v):
    b = ctypes.c_char_p(v.encode())
    keep.append(b)
    L.curl_easy_setopt(e, opt, b)
m = L.curl_multi_init()
for key, opt in (('maxHost', 7), ('maxTotal', 13), ('maxConnects', 6), ('maxStreams', 16)):
    if key in plan:
        L.curl_multi_setopt(m, opt, plan[key])
names = {}
def make(t):
    e = L.curl_easy_init()
    text(e, 10002, t['url'])
    num(e, 41, 1)
    L.curl_easy_setopt(e, 20094, ctypes.cast(debug, vp))
    L.curl_easy_setopt(e, 20011, ctypes.cast(sink, vp))
    num(e, 237, 1 if t.get('pipewait') else 0)
    if 'httpVersion' in t: num(e, 84, t['httpVersion'])
    if 'cainfo' in t: text(e, 10065, t['cainfo'])
    if t.get('fresh'): num(e, 74, 1)
    if t.get('follow'): num(e, 52, 1)
    if 'anyauth' in t:
        text(e, 10005, t['anyauth'])
        num(e, 107, -17)
    names[e] = t['name']
    L.curl_multi_add_handle(m, e)
waiting = list(plan['transfers'])
for t in [t for t in waiting if 'after' not in t]:
    waiting.remove(t)
    make(t)
running = ctypes.c_int(0)
for rounds in range(100000):
    L.curl_multi_perform(m, ctypes.byref(running))
    added = False
    q = ctypes.c_int(0)
    while True:
        msg = L.curl_multi_info_read(m, ctypes.byref(q))
        if not msg:
            break
        e = msg.contents.easy
        nc = ctypes.c_long(0)
        L.curl_easy_getinfo(e, 2097178, ctypes.byref(nc))
        out.append('## done %s %d %d' % (names[e], msg.contents.result, nc.value))
        L.curl_multi_remove_handle(m, e)
        for t in [t for t in waiting if t.get('after') == names[e]]:
            waiting.remove(t)
            make(t)
            added = True
    if running.value == 0 and not added and not waiting:
        break
    if not added:
        L.curl_multi_poll(m, None, 0, 1000, None)
print(json.dumps(out))
`;

/** The scenario run by libcurl 7.88 (python3 and Debian's libcurl.so.4). */
export function runLibcurl(plan: MultiPlan): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', PY, JSON.stringify(plan)], { timeout: 30000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
}

/** The scenario run by tscurl's Multi, as runLibcurl() runs it. */
export async function runTscurl(plan: MultiPlan): Promise<string[]> {
  const out: string[] = [];
  const multi = new Multi();
  const names = new Map<Easy, string>();
  const easies: Easy[] = [];
  try {
    if (plan.maxHost !== undefined) multi.setopt(CURLMOPT.MAX_HOST_CONNECTIONS, plan.maxHost);
    if (plan.maxTotal !== undefined) multi.setopt(CURLMOPT.MAX_TOTAL_CONNECTIONS, plan.maxTotal);
    if (plan.maxConnects !== undefined) multi.setopt(CURLMOPT.MAXCONNECTS, plan.maxConnects);
    if (plan.maxStreams !== undefined) multi.setopt(CURLMOPT.MAX_CONCURRENT_STREAMS, plan.maxStreams);
    const make = (t: PlannedTransfer): void => {
      const e = new Easy();
      easies.push(e);
      e.setopt(CURLOPT.URL, t.url);
      e.setopt(CURLOPT.VERBOSE, 1);
      e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, data: Buffer) => {
        if (type === 0) out.push(`* ${data.toString('latin1').trimEnd()}`);
        return 0;
      });
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      e.setopt(CURLOPT.PIPEWAIT, t.pipewait ? 1 : 0);
      if (t.httpVersion !== undefined) e.setopt(CURLOPT.HTTP_VERSION, t.httpVersion);
      if (t.cainfo !== undefined) e.setopt(CURLOPT.CAINFO, t.cainfo);
      if (t.fresh) e.setopt(CURLOPT.FRESH_CONNECT, 1);
      if (t.follow) e.setopt(CURLOPT.FOLLOWLOCATION, 1);
      if (t.anyauth !== undefined) {
        e.setopt(CURLOPT.USERPWD, t.anyauth);
        e.setopt(CURLOPT.HTTPAUTH, -17);
      }
      names.set(e, t.name);
      multi.addHandle(e);
    };
    const waiting = [...plan.transfers];
    for (const t of plan.transfers.filter((x) => x.after === undefined)) {
      waiting.splice(waiting.indexOf(t), 1);
      make(t);
    }
    for (let rounds = 0; rounds < 100000; rounds++) {
      const { runningHandles } = multi.perform();
      let added = false;
      for (let m = multi.infoRead(); m; m = multi.infoRead()) {
        const name = names.get(m.easy)!;
        out.push(`## done ${name} ${m.result} ${m.easy.getinfo(CURLINFO.NUM_CONNECTS) as number}`);
        multi.removeHandle(m.easy);
        for (const t of waiting.filter((x) => x.after === name)) {
          waiting.splice(waiting.indexOf(t), 1);
          make(t);
          added = true;
        }
      }
      if (runningHandles === 0 && !added && waiting.length === 0) break;
      if (!added) await multi.poll(1000);
    }
    return out;
  } finally {
    for (const e of easies) multi.removeHandle(e);
    multi.cleanup();
    for (const e of easies) e.cleanup();
  }
}
