// Turns parsed -F/--form-string fields into a Mime for CURLOPT_MIMEPOST, as
// curl's tool2curlmime() does: names, files (several files of one field
// become multipart/mixed subparts), "<file" content, stdin, types, file
// names, encoders and part headers, "(" ... ")" multipart groups.
import { CURLE, type Easy, type Mime, type MimePart } from '../index.js';
import { parseFormField, type FormPartSpec } from './form-parse.js';
import { readStdin } from './upload-source.js';

export interface FormArg {
  text: string;
  literal: boolean;
}

async function fillPart(p: MimePart, spec: FormPartSpec): Promise<number> {
  let code = CURLE.OK as number;
  switch (spec.kind) {
    case 'data': code = p.data(Buffer.from(spec.value)); break;
    case 'file': code = p.filedata(spec.value); break;
    case 'filedata':
      code = p.filedata(spec.value);
      if (code === CURLE.OK) code = p.filename(null);
      break;
    case 'stdin':
      code = p.data(await readStdin());
      // "@-" still names a file: curl sends filename="-"
      if (code === CURLE.OK && spec.filename === undefined && spec.kind === 'stdin' && spec.value === '-') code = p.filename(null);
      break;
  }
  if (code !== CURLE.OK) return code;
  if (spec.filename !== undefined) code = p.filename(spec.filename);
  if (code === CURLE.OK && spec.type !== undefined) code = p.type(spec.type);
  if (code === CURLE.OK && spec.encoder !== undefined) code = p.encoder(spec.encoder);
  if (code === CURLE.OK && spec.headers.length) code = p.headers(spec.headers);
  return code;
}

/** The Mime for a transfer, or the CURLcode that stops it (26 for a file that cannot be read). */
export async function buildFormMime(easy: Easy, args: readonly FormArg[], warn: (w: string) => void):
  Promise<{ code: number; mime?: Mime; warning?: string }> {
  const top = easy.mimeInit();
  // "name=(" opens a multipart part whose subparts follow until "=)" (tool_formparse.c)
  const open: Mime[] = [];
  for (const a of args) {
    const mime = open[open.length - 1] ?? top;
    const content = a.text.slice(a.text.indexOf('=') + 1);
    if (!a.literal && a.text.includes('=') && content.startsWith(')') && content.trim() === ')' && a.text.indexOf('=') === 0) {
      if (!open.length) return { code: CURLE.BAD_FUNCTION_ARGUMENT, warning: 'no multipart to terminate' };
      open.pop();
      continue;
    }
    const r = parseFormField(a.text, a.literal, warn);
    if (!r.ok) return { code: CURLE.BAD_FUNCTION_ARGUMENT, warning: r.warning };
    if (!a.literal && content.startsWith('(') && !r.field.multiFile && r.field.parts[0]!.kind === 'data') {
      const spec = r.field.parts[0]!;
      const part = mime.addpart();
      if (r.field.name !== null) part.name(r.field.name);
      const sub = easy.mimeInit();
      part.subparts(sub);
      if (spec.type !== undefined) part.type(spec.type);
      if (spec.headers.length) part.headers(spec.headers);
      open.push(sub);
      continue;
    }
    const part = mime.addpart();
    if (r.field.name !== null) part.name(r.field.name);
    if (r.field.multiFile) {
      const sub = easy.mimeInit();
      for (const spec of r.field.parts) {
        const code = await fillPart(sub.addpart(), spec);
        if (code !== CURLE.OK) return { code };
      }
      part.subparts(sub);
    } else {
      const spec = r.field.parts[0]!;
      const code = await fillPart(part, spec);
      if (code !== CURLE.OK) return { code };
      if (spec.kind === 'stdin' && a.text.slice(a.text.indexOf('=') + 1).startsWith('@')) part.filename(spec.filename ?? '-');
    }
  }
  return { code: CURLE.OK, mime: top };
}
