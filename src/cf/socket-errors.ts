// errno texts as libcurl prints them (strerror), from Node's error codes.
const TEXTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  ETIMEDOUT: 'Connection timed out',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EACCES: 'Permission denied',
  ENOENT: 'No such file or directory',
  ENOTSOCK: 'Socket operation on non-socket',
  EINVAL: 'Invalid argument',
  ECONNRESET: 'Connection reset by peer',
};

export function errnoText(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && TEXTS[code]) ?? err.message;
}

/** The positive errno number of a Node system error (Node reports them negated). */
export function errnoNumber(err: Error): number {
  return Math.abs((err as NodeJS.ErrnoException).errno ?? 0);
}
