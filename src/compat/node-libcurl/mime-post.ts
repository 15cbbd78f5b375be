// Easy#setMimePost / Curl#setMimePost / curly's curlyMimePost: a CurlMime
// built from node-libcurl's declarative part descriptions.
import { CurlMime, type CurlMimePart as Part } from './mime.js';

interface MimePartCommon {
  name: string;
  mimeType?: string;
  fileName?: string;
  encoder?: 'binary' | '8bit' | '7bit' | 'base64' | 'quoted-printable';
  headers?: string[];
}
export type CurlyMimePart =
  | (MimePartCommon & { type: 'data'; data: string | Buffer })
  | (MimePartCommon & { type: 'file'; file: string })
  | (MimePartCommon & { type: 'stream'; stream: import('node:stream').Readable; size?: number })
  | (MimePartCommon & { type: 'subparts'; parts: CurlyMimePart[] });

/** The handle side setMimePost needs: pause(), pauseFlags, as on Easy. */
interface Pausable {
  pause(bitmask: number): unknown;
  readonly pauseFlags: number;
}

const PAUSE_SEND = 4;

export function buildMimePost(handle: Pausable, parts: CurlyMimePart[]): CurlMime {
  const mime = new CurlMime(handle);
  for (const spec of parts) addPart(handle, mime, spec);
  return mime;
}

function addPart(handle: Pausable, mime: CurlMime, spec: CurlyMimePart): void {
  const part: Part = mime.addPart().setName(spec.name);
  if (spec.mimeType) part.setType(spec.mimeType);
  if (spec.fileName) part.setFileName(spec.fileName);
  if (spec.encoder) part.setEncoder(spec.encoder);
  if (spec.headers) part.setHeaders(spec.headers);
  switch (spec.type) {
    case 'data':
      part.setData(spec.data);
      break;
    case 'file':
      part.setFileData(spec.file);
      break;
    case 'stream':
      part.setDataStream(spec.stream, () => { handle.pause(handle.pauseFlags & ~PAUSE_SEND); }, spec.size);
      break;
    case 'subparts': {
      const sub = new CurlMime(handle);
      for (const s of spec.parts) addPart(handle, sub, s);
      part.setSubparts(sub);
      break;
    }
    default:
      throw new TypeError(`Unknown MIME part type: ${(spec as { type: unknown }).type}`);
  }
}
