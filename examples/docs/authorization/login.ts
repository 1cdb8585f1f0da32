import { homedir } from 'node:os';
import { join } from 'node:path';
import { oauthClient } from 'tsmcp/auth';
import { FileTokenStore, loopbackLogin } from 'tsmcp/auth/node';
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport } from 'tsmcp/http';

export async function connectWithLogin(url: string): Promise<Client> {
  const login = loopbackLogin({ open: (u) => console.error(`Log in at ${u.href}`) });
  const auth = oauthClient({
    serverUrl: url,
    store: new FileTokenStore(join(homedir(), '.config', 'my-cli', 'tokens.json')),
    clientMetadata: { client_name: 'My CLI' }, // sent with dynamic registration
    ...login,
  });
  const client = new Client({ name: 'my-cli', version: '1.0.0' });
  await client.connect(new StreamableHttpClientTransport(url, { auth }));
  return client;
}
// A CLI calls: const client = await connectWithLogin('https://mcp.example.com/mcp');
