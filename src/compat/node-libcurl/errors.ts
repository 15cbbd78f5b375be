// node-libcurl's error classes. Every error the compat layer throws or
// rejects with for a libcurl result is one of these, with `code` the
// CURLcode (CurlEasyError), CURLMcode (CurlMultiError) or CURLSHcode
// (CurlSharedError), as node-libcurl's addon creates them.
import { easyStrerror, multiStrerror, shareStrerror } from '../../index.js';

export class CurlError extends Error {
  static override readonly name: string = 'CurlError';
}

export class CurlEasyError extends CurlError {
  static override readonly name: string = 'CurlEasyError';
  readonly code: number;
  constructor(message: string, code: number, errorOptions?: ErrorOptions) {
    super(message, errorOptions);
    this.code = code;
  }
}

export class CurlMultiError extends CurlError {
  static override readonly name: string = 'CurlMultiError';
  readonly code: number;
  constructor(message: string, code: number, errorOptions?: ErrorOptions) {
    super(message, errorOptions);
    this.code = code;
  }
}

export class CurlSharedError extends CurlError {
  static override readonly name: string = 'CurlSharedError';
  readonly code: number;
  constructor(message: string, code: number, errorOptions?: ErrorOptions) {
    super(message, errorOptions);
    this.code = code;
  }
}

/** node-libcurl's "message: strerror" form (its addon's autoAddSuffix). */
export function easyError(message: string, code: number, withSuffix = false): CurlEasyError {
  return new CurlEasyError(withSuffix ? `${message}: ${easyStrerror(code as never)}` : message, code);
}

export function multiError(message: string, code: number, withSuffix = false): CurlMultiError {
  return new CurlMultiError(withSuffix ? `${message}: ${multiStrerror(code as never)}` : message, code);
}

export function shareError(message: string, code: number, withSuffix = false): CurlSharedError {
  return new CurlSharedError(withSuffix ? `${message}: ${shareStrerror(code as never)}` : message, code);
}
