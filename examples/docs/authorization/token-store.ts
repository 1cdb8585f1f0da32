import type { StoredTokens, TokenStore } from 'tsmcp/auth';

// `db` stands for your database: a key-value table and a lock.
const rows = new Map<string, string>();
const db = {
  put: async (key: string, value: string) => void rows.set(key, value),
  withLock: async <T>(_key: string, fn: () => Promise<T>) => fn(),
};
const read = async <T>(key: string) => (rows.has(key) ? (JSON.parse(rows.get(key)!) as T) : undefined);

const store: TokenStore = {
  getClient: (issuer) => read(`client ${issuer}`),
  setClient: (issuer, client) => db.put(`client ${issuer}`, JSON.stringify(client)),
  getTokens: (issuer, resource) => read<StoredTokens>(`tokens ${issuer} ${resource}`),
  setTokens: (issuer, resource, tokens) => db.put(`tokens ${issuer} ${resource}`, JSON.stringify(tokens)),
  lock: (issuer, resource, fn) => db.withLock(`tokens ${issuer} ${resource}`, fn),
};

await store.setTokens('https://auth.example.com', 'https://mcp.example.com/mcp', {
  access_token: 'at',
  token_type: 'Bearer',
});
console.log(await store.getTokens('https://auth.example.com', 'https://mcp.example.com/mcp'));
