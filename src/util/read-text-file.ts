// Reading a cache file that may not be there (HSTS, alt-svc): libcurl's
// loaders carry on with what they have when the file is missing or unreadable.
import { readFileSync } from 'node:fs';

/** The file's bytes as a latin1 string (byte for byte), or null when it cannot be read. */
export function readTextIfPresent(file: string): string | null {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return null;
  }
}
