import { InvalidTokenError, type TokenVerifier } from 'tsmcp/auth';

export function apiKeyVerifier(keys: Map<string, { owner: string; scopes: string[] }>): TokenVerifier {
  return {
    async verify(token) {
      const key = keys.get(token);
      if (!key) throw new InvalidTokenError('inactive', 'unknown API key', 'token', 'a known key', 'another');
      return { subject: key.owner, scopes: key.scopes, token };
    },
  };
}

const verifier = apiKeyVerifier(new Map([['k-123', { owner: 'ada', scopes: ['files:read'] }]]));
console.log(await verifier.verify('k-123')); // { subject: 'ada', scopes: ['files:read'], token: 'k-123' }
console.log(await verifier.verify('nope').catch((e: InvalidTokenError) => e.code)); // TSMCP_INVALID_TOKEN
