// What an SFTP transfer step (download, listing, upload) gets from the
// request, and what it offers it.
import type { CURLcode } from '../../codes.js';
import type { Transfer } from '../../multi/transfer.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import type { SftpSession } from './ssh2-lib.js';

export interface SftpJobHost {
  readonly t: Transfer;
  readonly guard: CallbackGuard;
  readonly sftp: SftpSession;
  /** the remote path (Curl_getworkingpath's) */
  readonly path: string;
  /** the connection cannot take more bytes now */
  readonly writeBlocked: boolean;
  info(text: string): void;
  /** body bytes to the application, traced as DATA_IN (the writers' answer: OK, PAUSED or an error) */
  body(data: Buffer): number;
  /** upload bytes sent, traced as DATA_OUT */
  sent(data: Buffer): void;
  /** fail the transfer with libcurl's message; returns `code` */
  fail(code: CURLcode, message: string): CURLcode;
}

export interface SftpJob {
  /** take answers, deliver, ask for more: OK or the transfer's error */
  run(): CURLcode;
  readonly finished: boolean;
  /** the request is dropped: forget what is in flight */
  abort(): void;
}
