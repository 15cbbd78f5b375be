// SFTP status codes (SSH_FX_*) in libcurl's words and CURLcodes
// (sftp_libssh2_strerror and sftp_libssh2_error_to_CURLE in lib/vssh/libssh2.c).
import { CURLE, type CURLcode } from '../../codes.js';
import type { SftpError } from './ssh2-lib.js';

export const FX = {
  OK: 0, EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, BAD_MESSAGE: 5, NO_CONNECTION: 6,
  CONNECTION_LOST: 7, OP_UNSUPPORTED: 8, INVALID_HANDLE: 9, NO_SUCH_PATH: 10, FILE_ALREADY_EXISTS: 11,
  WRITE_PROTECT: 12, NO_MEDIA: 13, NO_SPACE_ON_FILESYSTEM: 14, QUOTA_EXCEEDED: 15, UNKNOWN_PRINCIPLE: 16,
  LOCK_CONFLICT: 17, DIR_NOT_EMPTY: 18, NOT_A_DIRECTORY: 19, INVALID_FILENAME: 20, LINK_LOOP: 21,
} as const;

const TEXT: Readonly<Record<number, string>> = {
  0: 'Success', 1: 'End of file', 2: 'No such file or directory', 3: 'Permission denied', 4: 'Operation failed',
  5: 'Bad message from SFTP server', 6: 'Not connected to SFTP server', 7: 'Connection to SFTP server lost',
  8: 'Operation not supported by SFTP server', 9: 'Invalid handle', 10: 'No such file or directory',
  11: 'File already exists', 12: 'File is write protected', 13: 'No media', 14: 'Disk full', 15: 'User quota exceeded',
  16: 'Unknown principle', 17: 'File lock conflict', 18: 'Directory not empty', 19: 'Not a directory',
  20: 'Invalid filename', 21: 'Link points to itself',
};

/** The SFTP status of an ssh2 error; -1 when it is not an SFTP status (the connection failed). */
export function fxCode(err: SftpError | null | undefined): number {
  if (!err) return FX.OK;
  return typeof err.code === 'number' ? err.code : -1;
}

export function fxText(code: number): string {
  return TEXT[code] ?? 'Unknown error in libssh2';
}

export function fxToCurle(code: number): CURLcode {
  switch (code) {
    case FX.OK: return CURLE.OK;
    case FX.NO_SUCH_FILE:
    case FX.NO_SUCH_PATH: return CURLE.REMOTE_FILE_NOT_FOUND;
    case FX.PERMISSION_DENIED:
    case FX.WRITE_PROTECT:
    case FX.LOCK_CONFLICT: return CURLE.REMOTE_ACCESS_DENIED;
    case FX.NO_SPACE_ON_FILESYSTEM:
    case FX.QUOTA_EXCEEDED: return CURLE.REMOTE_DISK_FULL;
    case FX.FILE_ALREADY_EXISTS: return CURLE.REMOTE_FILE_EXISTS;
    case FX.DIR_NOT_EMPTY: return CURLE.QUOTE_ERROR;
    default: return CURLE.SSH;
  }
}
