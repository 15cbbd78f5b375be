// What tscurl's HTTP/2 session announces and the windows it keeps, as libcurl
// 7.88 with nghttp2 (the h2c Upgrade's HTTP2-Settings header carries the
// same SETTINGS payload).
import { SETTING, settingsPayload } from './frames.js';

/** curl 7.88's stream window (HTTP2_HUGE_WINDOW_SIZE is 32 MiB; bounded lower: a paused stream holds up to this much) */
export const STREAM_WINDOW = 1024 * 1024;
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
