import { introspectionVerifier } from 'tsmcp/auth';

const verifier = introspectionVerifier({
  endpoint: 'https://auth.example.com/introspect',
  clientId: 'mcp-resource-server',
  clientSecret: process.env.INTROSPECTION_SECRET ?? 'dev-secret',
  audience: 'https://mcp.example.com/mcp',
  issuer: 'https://auth.example.com',
});
console.log(typeof verifier.verify); // the endpoint is called on the first verify, not before
