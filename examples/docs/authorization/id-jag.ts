import { idJagAssertion, oauthClient } from 'tsmcp/auth';

export function agentAuth(url: string, idToken: string) {
  const auth = oauthClient({
    serverUrl: url,
    grant: {
      type: 'jwt_bearer',
      clientId: 'my-agent', // this client at the MCP server's authorization server
      clientSecret: process.env.MCP_AS_SECRET!,
      assertion: idJagAssertion({
        idpTokenEndpoint: 'https://idp.example.com/oauth2/token',
        subjectToken: () => idToken, // the user's ID token from your SSO login
        clientId: 'my-agent-at-idp',
        clientSecret: process.env.IDP_SECRET!,
      }),
    },
  });
  return auth;
}
