// HTTP Basic (RFC 7617) as libcurl's http_output_basic: "user:password" in
// base64, a missing part counting as empty. Credentials are UTF-8 encoded,
// which is what curl sends for a UTF-8 command line.
export function basicCredentials(user: string | null, password: string | null): string {
  return 'Basic ' + Buffer.from(`${user ?? ''}:${password ?? ''}`, 'utf8').toString('base64');
}
