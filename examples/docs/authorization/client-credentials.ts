import { oauthClient } from 'tsmcp/auth';
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport } from 'tsmcp/http';

export async function connectAsService(url: string): Promise<Client> {
  const auth = oauthClient({
    serverUrl: url,
    grant: { type: 'client_credentials', clientId: 'notes-bot', clientSecret: 'demo-secret' },
  });
  const client = new Client({ name: 'notes-bot', version: '1.0.0' });
  await client.connect(new StreamableHttpClientTransport(url, { auth }));
  return client;
}
// `npm run example:auth` runs this against a real authorization server.
