// The header fields the tool saw, for -w: %header{name}, %{header_json} and
// %{num_headers} want the most recent response's; curl 8.17's
// %header{name:all:sep} wants every response of the redirect chain, in
// the order they came (a 1xx interim response is no part of the chain).

export type HeaderField = readonly [name: string, value: string];

export class ResponseHeaders {
  /** the fields of the responses before the current one, in arrival order */
  #earlier: HeaderField[] = [];
  #current: HeaderField[] = [];
  #currentIsInterim = false;

  /** One header line as the header callback got it (latin1 text, with its CRLF). */
  feed(text: string): void {
    const status = /^HTTP\/\S+ (\d)/.exec(text);
    if (status) {
      if (!this.#currentIsInterim) this.#earlier.push(...this.#current);
      this.#current = [];
      this.#currentIsInterim = status[1] === '1';
      return;
    }
    const m = /^([^:\s]+):\s*(.*?)\r?\n?$/.exec(text);
    if (m) this.#current.push([m[1]!, m[2]!]);
  }

  /** The most recent response's fields. */
  get current(): readonly HeaderField[] {
    return this.#current;
  }

  /** Every response's fields over the redirect chain. */
  all(): readonly HeaderField[] {
    return [...this.#earlier, ...this.#current];
  }

  /** A retry starts over. */
  reset(): void {
    this.#earlier = [];
    this.#current = [];
    this.#currentIsInterim = false;
  }
}
