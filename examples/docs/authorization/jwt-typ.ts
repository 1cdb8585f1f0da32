import { jwtVerifier } from 'tsmcp/auth';

const verifier = jwtVerifier({
  issuer: 'https://sso.example.com/realms/acme',
  audience: 'https://mcp.example.com/mcp',
  jwksUri: 'https://sso.example.com/realms/acme/protocol/openid-connect/certs',
  typ: ['JWT'], // Keycloak and Entra ID type their access tokens `JWT`, not RFC 9068's `at+jwt`
});
console.log(typeof verifier.verify); // the JWKS is fetched on the first verify, not before
