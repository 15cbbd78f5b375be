// The serial transfers' one Multi. curl's tool calls curl_easy_perform() on
// each transfer's new handle, and libcurl makes that handle a private multi:
// cheap in C. Here a Multi is an engine, a socket driver and timers, and a
// connection taken from the share's pool is watched anew by every new one,
// so the tool drives each transfer through one Multi for the whole run,
// exactly as Easy.perform() drives its private one (add, perform and poll
// until DONE, remove). Connections, DNS, cookies and TLS sessions are the
// share's either way; the options stay each handle's own.
import { Multi, CURLMOPT, CURLMSG, CURLE, type Easy } from '../index.js';

/** libcurl's CURLOPT_MAXCONNECTS default, which curl_easy_perform() gives its multi (the tool never sets it). */
const EASY_MAXCONNECTS = 5;

export class SerialMulti {
  #multi: Multi | undefined;

  /** curl_easy_perform() of `easy`: resolves with the transfer's CURLcode. */
  async perform(easy: Easy): Promise<number> {
    const m = (this.#multi ??= new Multi());
    m.setopt(CURLMOPT.MAXCONNECTS, EASY_MAXCONNECTS);
    if (m.addHandle(easy) !== 0) return CURLE.FAILED_INIT;
    try {
      for (;;) {
        m.perform();
        const msg = m.infoRead();
        if (msg && msg.msg === CURLMSG.DONE) return msg.result;
        await m.poll(1000);
      }
    } finally {
      m.removeHandle(easy);
    }
  }

  /** After the last transfer (the share's pool keeps the connections; this closes what the Multi alone holds). */
  cleanup(): void {
    this.#multi?.cleanup();
    this.#multi = undefined;
  }
}
