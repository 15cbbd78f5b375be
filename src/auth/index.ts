// HTTP authentication: one module per scheme (sans-I/O) and the per-transfer
// negotiation that uses them.
export { CURLAUTH, CURL_NETRC, normaliseHttpAuth } from './curlauth.js';
export { basicCredentials } from './basic.js';
export { bearerCredentials } from './bearer.js';
export { DigestState, digestGetPair } from './digest.js';
export { parseChallenges, pickOneAuth } from './challenge.js';
export { parseNetrc, netrcTokens } from './netrc.js';
export { awsSigV4, canonicalQuery } from './aws-sigv4.js';
export { HostAuth } from './host-auth.js';
export type { AuthOptions, AuthOutput, AuthRequest, Credentials } from './host-auth.js';
export { NTLMFLAG, NTLMSTATE, NtlmConnState, ntlmType1, ntlmType3, decodeType2, ntlmInput, ntlmOutput } from './ntlm.js';
export type { NtlmEnvironment, NtlmHolder } from './ntlm.js';
