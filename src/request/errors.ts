// The error request() rejects with (and a body stream is destroyed with)
// when a transfer fails: libcurl's CURLcode and its error-buffer text.
import { easyStrerror, type CURLcode } from '../codes.js';

export class CurlError extends Error {
  /** the CURLcode (CURLE.*) */
  readonly code: CURLcode;
  /** the transfer's CURLOPT_ERRORBUFFER text ('' when it had none) */
  readonly detail: string;

  constructor(code: CURLcode, detail = '', options?: { cause?: unknown }) {
    super(`${easyStrerror(code)} (CURLcode ${code})${detail ? `: ${detail}` : ''}`, options);
    this.name = 'CurlError';
    this.code = code;
    this.detail = detail;
  }
}
