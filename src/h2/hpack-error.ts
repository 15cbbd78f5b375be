// The one error of the HPACK codec (RFC 7541): a header block that cannot be
// decoded. The HTTP/2 layer answers it with a connection error of type
// COMPRESSION_ERROR (RFC 7540 4.3): once a block fails, the decoder's dynamic
// table is no longer known to match the peer's encoder.
export class HpackError extends Error {
  override name = 'HpackError';
}
