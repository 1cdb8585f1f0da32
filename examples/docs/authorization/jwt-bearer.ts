import { readFile } from 'node:fs/promises';
import { oauthClient } from 'tsmcp/auth';

const url = 'https://mcp.example.com/mcp';
const auth = oauthClient({
  serverUrl: url,
  grant: { type: 'jwt_bearer', assertion: () => readFile(process.env.WORKLOAD_TOKEN_FILE!, 'utf8') },
});
console.log(typeof auth); // the `auth` option of StreamableHttpClientTransport; the file is read per token request
