import { readFile } from 'node:fs/promises';
import { oauthClient } from 'tsmcp/auth';

export async function reportingJobAuth(url: string) {
  const auth = oauthClient({
    serverUrl: url,
    grant: {
      type: 'client_credentials',
      clientId: 'reporting-job',
      privateKey: await readFile(process.env.CLIENT_KEY_PEM!, 'utf8'), // PKCS#8 PEM; jose signs the assertion
    },
  });
  return auth; // the `auth` option of StreamableHttpClientTransport
}
