// What tscurl's HTTP/2 session announces and the windows it keeps, as libcurl
// 7.88 with nghttp2 (the h2c Upgrade's HTTP2-Settings header carries the
// same SETTINGS payload).
import { SETTING, settingsPayload } from './frames.js';

/**
 * Our stream window. curl 7.88 announces HTTP2_HUGE_WINDOW_SIZE (32 MiB);
 * bounded lower here, since a paused stream holds up to this much. 4 MiB,
 * not the 1 MiB it was: a download then sends a WINDOW_UPDATE per 2 MiB
 * taken instead of per 512 KiB, and each one costs both ends a wake-up and
 * the client a write (on loopback the write also runs the kernel's receive
 * work for what the server sent meanwhile): bench/h2-download-probe.ts
 * measured less CPU per GiB on both sides. The connection's 32 MiB window
 * still bounds what all streams hold together.
 */
export const STREAM_WINDOW = 4 * 1024 * 1024;
/** the connection's receive window (7.88 raises it to HTTP2_HUGE_WINDOW_SIZE) */
export const CONNECTION_WINDOW = 32 * 1024 * 1024;
/** what libcurl announces as SETTINGS_MAX_CONCURRENT_STREAMS (DEFAULT_MAX_CONCURRENT_STREAMS) */
export const LOCAL_MAX_STREAMS = 100;
/** SETTINGS_MAX_HEADER_LIST_SIZE: header lines are bounded by size (300 KB), as curl */
export const MAX_HEADER_LIST = 300 * 1024;
/** the window RFC 9113 starts both ends with */
export const DEFAULT_WINDOW = 65535;

/** Our SETTINGS as [id, value] pairs, in the order curl 7.88 writes HTTP2-Settings. */
export function h2LocalSettings(enablePush: boolean): [number, number][] {
  return [
    [SETTING.MAX_CONCURRENT_STREAMS, LOCAL_MAX_STREAMS],
    [SETTING.INITIAL_WINDOW_SIZE, STREAM_WINDOW],
    [SETTING.ENABLE_PUSH, enablePush ? 1 : 0],
    [SETTING.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST],
  ];
}

/** The HTTP2-Settings header's value: the payload of the SETTINGS frame the session sends, base64url (RFC 7540 3.2.1). */
export function h2cSettingsHeader(enablePush: boolean): string {
  return settingsPayload(h2LocalSettings(enablePush)).toString('base64url');
}
