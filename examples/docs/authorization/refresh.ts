import { MemoryTokenStore, oauthClient } from 'tsmcp/auth';
import { loopbackLogin } from 'tsmcp/auth/node';

const url = 'https://mcp.example.com/mcp';
const store = new MemoryTokenStore();
const auth = oauthClient({ serverUrl: url, store, refreshSkewSeconds: 120, ...loopbackLogin() });
console.log(typeof auth); // the `auth` option of StreamableHttpClientTransport
