import { type DpopReplayCache, InMemoryDpopReplayCache, jwtVerifier, protectedResource } from 'tsmcp/auth';

export function sharedReplayCache(kv: { setIfAbsent(key: string, ttlMs: number): Promise<boolean> }): DpopReplayCache {
  return { seen: async (jti, expiresAt) => !(await kv.setIfAbsent(`dpop:${jti}`, expiresAt - Date.now())) };
}
// Stands for your shared store (Redis: SET key 1 NX PX ttl).
const keys = new Set<string>();
const replayCache = sharedReplayCache({ setIfAbsent: async (key) => !keys.has(key) && Boolean(keys.add(key)) });

const rs = protectedResource({
  resource: 'https://mcp.example.com/mcp',
  authorizationServers: ['https://auth.example.com'],
  verifier: jwtVerifier({
    issuer: 'https://auth.example.com',
    audience: 'https://mcp.example.com/mcp',
    jwksUri: 'https://auth.example.com/jwks',
  }),
  dpop: {
    required: true, // Bearer refused; metadata says dpop_bound_access_tokens_required
    nonce: { secret: process.env.DPOP_NONCE_SECRET ?? 'the same secret on every instance' },
    replayCache, // shared by the fleet; default: new InMemoryDpopReplayCache() per process
  },
});
export const oneProcess = new InMemoryDpopReplayCache({ maxEntries: 200_000 });
console.log(rs.document.dpop_bound_access_tokens_required); // true
