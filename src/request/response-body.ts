// The response body as a Readable (request()'s `res.body`), made by the
// BodySink on first use. Backpressure is libcurl's pause: when the stream's
// buffer is full the transfer is paused (CURLPAUSE_RECV, so the socket is no
// longer read and TCP holds the server back), and reading unpauses it.
import { Readable } from 'node:stream';

/** How much body is buffered for a reader (or before there is one) before the transfer is paused. */
export const BODY_HIGH_WATER_MARK = 64 * 1024;

/** The response body: a Readable whose _read() unpauses the transfer that fills it. */
export class ResponseBody extends Readable {
  readonly #resume: () => void;

  constructor(resume: () => void) {
    super({ highWaterMark: BODY_HIGH_WATER_MARK });
    this.#resume = resume;
    // A failure after the head (abort, reset mid-body) reaches whoever reads the body
    // (text(), iteration, pipeline, an 'error' listener); a body nobody reads must not
    // take the process down with an unhandled 'error' event.
    this.on('error', () => {});
  }

  override _read(): void {
    this.#resume();
  }
}
