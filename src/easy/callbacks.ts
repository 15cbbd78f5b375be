// Callback signatures of the easy options: libcurl's prototypes with a Buffer in
// place of (ptr, size, nmemb) and the *DATA pointer passed where C passes it.
import type { Easy } from './easy.js';
import type { CurlFileInfo } from '../proto/ftp/ftp-listparse.js';

/** CURLOPT_WRITEFUNCTION: return data.length, CURL_WRITEFUNC_PAUSE or anything else to fail. */
export type WriteCallback = (data: Buffer, userdata: unknown) => number;
/** CURLOPT_HEADERFUNCTION: one complete header line (with its CRLF) per call. */
export type HeaderCallback = (line: Buffer, userdata: unknown) => number;
/**
 * CURLOPT_READFUNCTION: fill `buf` (its length is the most you may give) and
 * return the count, 0 for end of data, CURL_READFUNC_ABORT or CURL_READFUNC_PAUSE.
 */
export type ReadCallback = (buf: Buffer, userdata: unknown) => number;
/** CURLOPT_XFERINFOFUNCTION: return non-zero to abort (CURLE_ABORTED_BY_CALLBACK). */
export type XferInfoCallback = (clientp: unknown, dltotal: number, dlnow: number, ultotal: number, ulnow: number) => number;
/**
 * CURLOPT_PROGRESSFUNCTION (deprecated for XFERINFOFUNCTION, which wins when
 * both are set): the same numbers (doubles in C); non-zero aborts, except
 * CURL_PROGRESSFUNC_CONTINUE.
 */
export type ProgressCallback = (clientp: unknown, dltotal: number, dlnow: number, ultotal: number, ulnow: number) => number;
/** CURLOPT_DEBUGFUNCTION: type is a CURLINFO_TYPE value. */
export type DebugCallback = (easy: Easy, type: number, data: Buffer, clientp: unknown) => number;
/** CURLOPT_SEEKFUNCTION: return CURL_SEEKFUNC_OK (0), FAIL (1) or CANTSEEK (2). */
export type SeekCallback = (userdata: unknown, offset: number, origin: number) => number;
/** CURLOPT_TRAILERFUNCTION: push trailer lines into `list`; return CURL_TRAILERFUNC_OK (0). */
export type TrailerCallback = (list: string[], userdata: unknown) => number;
/** CURLOPT_PREREQFUNCTION */
export type PrereqCallback = (clientp: unknown, primaryIp: string, localIp: string, primaryPort: number, localPort: number) => number;
/** CURLOPT_RESOLVER_START_FUNCTION */
export type ResolverStartCallback = (resolverState: unknown, clientp: unknown) => number;
/**
 * CURLOPT_CHUNK_BGN_FUNCTION (FTP wildcard downloads): before each listed
 * file that matched; `remains` counts it and those after it. Return
 * CURL_CHUNK_BGN_FUNC_OK (0), _FAIL (1) or _SKIP (2).
 */
export type ChunkBgnCallback = (info: CurlFileInfo, chunkData: unknown, remains: number) => number;
/** CURLOPT_CHUNK_END_FUNCTION: after each file (downloaded or skipped); libcurl 7.88 ignores the value. */
export type ChunkEndCallback = (chunkData: unknown) => number;
/** CURLOPT_FNMATCH_FUNCTION: CURL_FNMATCHFUNC_MATCH (0), _NOMATCH (1) or _FAIL (2). */
export type FnmatchCallback = (fnmatchData: unknown, pattern: string, name: string) => number;
/** Any other function option (not implemented yet: setopt answers CURLE_NOT_BUILT_IN). */
export type AnyCallback = (...args: never[]) => unknown;
