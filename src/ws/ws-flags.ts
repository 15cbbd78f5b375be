// The WebSocket constants of libcurl's <curl/websockets.h> and RFC 6455's
// wire values, shared by the frame decoder, encoder and session.
//
// The CURLWS_* numbers are libcurl's (websockets.h): the frame-type bits
// that curl_ws_meta()/curl_ws_send() use, and the CURLOPT_WS_OPTIONS bits
// (CURLWS_RAW_MODE 1 and CURLWS_NOAUTOPONG 2 as CURLOPT_WS_OPTIONS.md lists
// them). The frame bits overlap the option bits numerically; they are
// different name spaces, as in libcurl.

/** curl_ws_frame.flags and curl_ws_send()'s flags. */
export const CURLWS = {
  TEXT: 1 << 0,
  BINARY: 1 << 1,
  CONT: 1 << 2,
  CLOSE: 1 << 3,
  PING: 1 << 4,
  /** curl_ws_send() only: a partial frame, `fragsize` gives the whole size */
  OFFSET: 1 << 5,
  PONG: 1 << 6,
} as const;

/** CURLOPT_WS_OPTIONS bits. */
export const CURLWS_OPT = {
  RAW_MODE: 1,
  NOAUTOPONG: 2,
} as const;

/** RFC 6455 5.2: the first byte of a frame. */
export const WSBIT = {
  FIN: 0x80,
  /** RSV1..RSV3: no extension is negotiated, so any of them set is an error */
  RSV_MASK: 0x70,
  OPCODE_MASK: 0x0f,
  /** second byte: the payload is masked */
  MASK: 0x80,
} as const;

export const WS_OPCODE = {
  CONT: 0x0,
  TEXT: 0x1,
  BIN: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** RFC 6455 5.5: a control frame's payload is at most 125 bytes. */
export const WS_MAX_CONTROL_PAYLOAD = 125;

/** The message-type bits: exactly one of them describes a frame. */
export const CURLWS_TYPE_MASK = CURLWS.TEXT | CURLWS.BINARY | CURLWS.CLOSE | CURLWS.PING | CURLWS.PONG;

/** What `curl_ws_meta()` / `curl_ws_recv()` report about a piece of received payload. */
export interface WsFrameMeta {
  /** struct version; always 0 */
  age: number;
  /** one message-type bit, plus CURLWS_CONT on a TEXT/BINARY frame that is not the last of its message */
  flags: number;
  /** where this piece's payload starts within its frame's payload */
  offset: number;
  /** payload bytes of the frame still to come after this piece */
  bytesleft: number;
  /** bytes in this piece */
  len: number;
}

/** A failure with libcurl's CURLcode and the text libcurl would failf() into the error buffer. */
export interface WsFailure {
  code: number;
  message: string;
}
