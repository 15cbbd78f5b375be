// Constants of curl's URL API (include/curl/urlapi.h): CURLUcode values,
// CURLUPart ids and CURLU_* flag bits, with the same names and numbers, plus
// curl_url_strerror's texts (lib/strerror.c).

/** CURLUcode: the result of every URL API call. Numbers as in urlapi.h. */
export const CURLUE = {
  OK: 0,
  BAD_HANDLE: 1,
  BAD_PARTPOINTER: 2,
  MALFORMED_INPUT: 3,
  BAD_PORT_NUMBER: 4,
  UNSUPPORTED_SCHEME: 5,
  URLDECODE: 6,
  OUT_OF_MEMORY: 7,
  USER_NOT_ALLOWED: 8,
  UNKNOWN_PART: 9,
  NO_SCHEME: 10,
  NO_USER: 11,
  NO_PASSWORD: 12,
  NO_OPTIONS: 13,
  NO_HOST: 14,
  NO_PORT: 15,
  NO_QUERY: 16,
  NO_FRAGMENT: 17,
  NO_ZONEID: 18,
  BAD_FILE_URL: 19,
  BAD_FRAGMENT: 20,
  BAD_HOSTNAME: 21,
  BAD_IPV6: 22,
  BAD_LOGIN: 23,
  BAD_PASSWORD: 24,
  BAD_PATH: 25,
  BAD_QUERY: 26,
  BAD_SCHEME: 27,
  BAD_SLASHES: 28,
  BAD_USER: 29,
  LACKS_IDN: 30,
  TOO_LARGE: 31,
} as const;
export type CURLUcode = (typeof CURLUE)[keyof typeof CURLUE];

/** CURLUPart: which component curl_url_set/curl_url_get work on. */
export const CURLUPART = {
  URL: 0,
  SCHEME: 1,
  USER: 2,
  PASSWORD: 3,
  OPTIONS: 4,
  HOST: 5,
  PORT: 6,
  PATH: 7,
  QUERY: 8,
  FRAGMENT: 9,
  ZONEID: 10,
} as const;
export type CURLUPart = (typeof CURLUPART)[keyof typeof CURLUPART];

/** CURLU_* flag bits for curl_url_set / curl_url_get. */
export const CURLU = {
  DEFAULT_PORT: 1 << 0,
  NO_DEFAULT_PORT: 1 << 1,
  DEFAULT_SCHEME: 1 << 2,
  NON_SUPPORT_SCHEME: 1 << 3,
  PATH_AS_IS: 1 << 4,
  DISALLOW_USER: 1 << 5,
  URLDECODE: 1 << 6,
  URLENCODE: 1 << 7,
  APPENDQUERY: 1 << 8,
  GUESS_SCHEME: 1 << 9,
  NO_AUTHORITY: 1 << 10,
  ALLOW_SPACE: 1 << 11,
  PUNYCODE: 1 << 12,
  PUNY2IDN: 1 << 13,
  GET_EMPTY: 1 << 14,
  NO_GUESS_SCHEME: 1 << 15,
} as const;

const URL_TEXT: Readonly<Record<number, string>> = {
  [CURLUE.OK]: 'No error',
  [CURLUE.BAD_HANDLE]: 'An invalid CURLU pointer was passed as argument',
  [CURLUE.BAD_PARTPOINTER]: "An invalid 'part' argument was passed as argument",
  [CURLUE.MALFORMED_INPUT]: 'Malformed input to a URL function',
  [CURLUE.BAD_PORT_NUMBER]: 'Port number was not a decimal number between 0 and 65535',
  [CURLUE.UNSUPPORTED_SCHEME]: 'Unsupported URL scheme',
  [CURLUE.URLDECODE]: 'URL decode error, most likely because of rubbish in the input',
  [CURLUE.OUT_OF_MEMORY]: 'A memory function failed',
  [CURLUE.USER_NOT_ALLOWED]: 'Credentials was passed in the URL when prohibited',
  [CURLUE.UNKNOWN_PART]: 'An unknown part ID was passed to a URL API function',
  [CURLUE.NO_SCHEME]: 'No scheme part in the URL',
  [CURLUE.NO_USER]: 'No user part in the URL',
  [CURLUE.NO_PASSWORD]: 'No password part in the URL',
  [CURLUE.NO_OPTIONS]: 'No options part in the URL',
  [CURLUE.NO_HOST]: 'No host part in the URL',
  [CURLUE.NO_PORT]: 'No port part in the URL',
  [CURLUE.NO_QUERY]: 'No query part in the URL',
  [CURLUE.NO_FRAGMENT]: 'No fragment part in the URL',
  [CURLUE.NO_ZONEID]: 'No zoneid part in the URL',
  [CURLUE.BAD_FILE_URL]: 'Bad file:// URL',
  [CURLUE.BAD_FRAGMENT]: 'Bad fragment',
  [CURLUE.BAD_HOSTNAME]: 'Bad hostname',
  [CURLUE.BAD_IPV6]: 'Bad IPv6 address',
  [CURLUE.BAD_LOGIN]: 'Bad login part',
  [CURLUE.BAD_PASSWORD]: 'Bad password',
  [CURLUE.BAD_PATH]: 'Bad path',
  [CURLUE.BAD_QUERY]: 'Bad query',
  [CURLUE.BAD_SCHEME]: 'Bad scheme',
  [CURLUE.BAD_SLASHES]: 'Unsupported number of slashes following scheme',
  [CURLUE.BAD_USER]: 'Bad user',
  [CURLUE.LACKS_IDN]: 'libcurl lacks IDN support',
  [CURLUE.TOO_LARGE]: 'A value or data field is larger than allowed',
};

/** curl_url_strerror */
export function urlStrerror(code: number): string {
  return URL_TEXT[code] ?? 'CURLUcode unknown';
}
