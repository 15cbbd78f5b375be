// OAuth 2.0 bearer tokens (RFC 6750) as libcurl's http_output_bearer: the
// token is sent as given.
export function bearerCredentials(token: string): string {
  return `Bearer ${token}`;
}
