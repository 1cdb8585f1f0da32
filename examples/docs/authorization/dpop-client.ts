import { oauthClient } from 'tsmcp/auth';

const url = 'https://mcp.example.com/mcp';
const auth = oauthClient({
  serverUrl: url,
  grant: { type: 'client_credentials', clientId: 'svc', clientSecret: process.env.CLIENT_SECRET ?? 'dev-secret' },
  dpop: { force: true }, // DPoP even where the resource does not ask (the AS must offer ES256)
});
console.log(typeof auth); // the `auth` option of StreamableHttpClientTransport
