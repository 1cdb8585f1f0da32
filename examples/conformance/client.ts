// `npm run conformance:client -- <url>`: the everything client the official conformance suite drives,
// switching on MCP_CONFORMANCE_SCENARIO and speaking MCP_CONFORMANCE_PROTOCOL_VERSION.
import { Client } from '../../src/entries/client.js';
import type { ElicitParams, JsonObject, ProtocolVersion } from '../../src/index.js';
import { idJagAssertion, type OAuthGrant, oauthClient } from '../../src/auth/client/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';

const url = process.argv[2];
if (!url) {
  console.error('usage: conformance-client <server-url>');
  process.exit(2);
}
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const version = (process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? '2026-07-28') as ProtocolVersion;
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as {
  toolCalls?: { name: string; arguments?: JsonObject }[];
  client_id?: string;
  client_secret?: string;
  issuer?: string;
  private_key_pem?: string;
  signing_algorithm?: string;
  valid_jwt?: string;
  idp_client_id?: string;
  idp_id_token?: string;
  idp_token_endpoint?: string;
};

/** Headless login (the suite's authorization endpoint redirects at once): read the redirect's Location. */
async function headlessRedirect(authorizationUrl: URL): Promise<URL> {
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  await res.body?.cancel();
  const location = res.headers.get('location');
  if (!location) throw new Error(`authorization endpoint answered HTTP ${res.status} without a redirect`);
  return new URL(location, authorizationUrl);
}

/** The extension scenarios' non-interactive grants, from the context the suite hands over. */
function grantFor(name: string): OAuthGrant | undefined {
  const id = context.client_id ?? '';
  switch (name) {
    case 'auth/client-credentials-basic':
      return { type: 'client_credentials', clientId: id, clientSecret: context.client_secret ?? '' };
    case 'auth/client-credentials-jwt':
      return {
        type: 'client_credentials',
        clientId: id,
        privateKey: context.private_key_pem ?? '',
        ...(context.signing_algorithm && { algorithm: context.signing_algorithm }),
      };
    case 'auth/wif-jwt-bearer':
      return { type: 'jwt_bearer', assertion: () => context.valid_jwt ?? '' };
    case 'auth/enterprise-managed-authorization':
      // SEP-990: the IdP's ID token → ID-JAG (RFC 8693) → JWT-bearer grant at the AS.
      return {
        type: 'jwt_bearer',
        assertion: idJagAssertion({
          idpTokenEndpoint: context.idp_token_endpoint ?? '',
          subjectToken: () => context.idp_id_token ?? '',
          clientId: context.idp_client_id ?? '',
        }),
        clientId: id,
        clientSecret: context.client_secret ?? '',
      };
    default:
      return undefined;
  }
}

const grant = grantFor(scenario);
const auth = grant
  ? oauthClient({ serverUrl: url, grant })
  : scenario.startsWith('auth/')
    ? oauthClient({
        serverUrl: url,
        redirectUri: 'http://localhost:3000/callback',
        redirect: headlessRedirect,
        clientMetadataUrl: 'https://conformance-test.local/client-metadata.json',
        clientMetadata: { client_name: 'tsmcp-conformance-client' },
        ...(context.client_id && {
          clientInformation: {
            client_id: context.client_id,
            ...(context.client_secret && { client_secret: context.client_secret }),
            ...(context.issuer && { issuer: context.issuer }),
          },
        }),
      })
    : undefined;

/** Accept a form, filling each field with its default (or a plausible value). */
function fillForm(p: ElicitParams) {
  const content: { [k: string]: string | number | boolean | string[] } = {};
  if ('requestedSchema' in p) {
    for (const [k, s] of Object.entries(p.requestedSchema.properties)) {
      const schema = s as { default?: string | number | boolean | string[]; type?: string; enum?: string[] };
      if (schema.default !== undefined) content[k] = schema.default;
      else if (schema.type === 'number' || schema.type === 'integer') content[k] = 1;
      else if (schema.type === 'boolean') content[k] = true;
      else if (schema.enum?.length) content[k] = schema.enum[0]!;
      else content[k] = 'conformance';
    }
  }
  return { action: 'accept' as const, content };
}

const client = new Client(
  { name: 'tsmcp-conformance-client', version: '0.1.0' },
  {
    version,
    handlers: {
      elicitation: (p) => fillForm(p),
      sampling: () => ({ role: 'assistant', model: 'conformance-model', content: { type: 'text', text: 'sampled' } }),
      roots: () => ({ roots: [{ uri: 'file:///srv/conformance', name: 'conformance' }] }),
    },
    onprotocolerror: (e) => console.error(`[protocol] ${e.message}`),
  },
);

const safe = async (what: string, f: () => Promise<unknown>) => {
  try {
    await f();
  } catch (e) {
    console.error(`${what}: ${(e as Error).message}`);
  }
};

try {
  await client.connect(new StreamableHttpClientTransport(url, auth ? { auth } : {}));
} catch (e) {
  console.error(`connect: ${(e as Error).message}`); // e.g. an auth scenario whose metadata must be refused
  process.exit(1);
}
if (auth) {
  await safe('tools/list', () => client.listAllTools());
  await safe('test-tool', () => client.callTool('test-tool', {}));
} else
  switch (scenario) {
    case 'tools_call':
      await client.listAllTools();
      await safe('add_numbers', () => client.callTool('add_numbers', { a: 5, b: 3 }));
      break;
    case 'elicitation-sep1034-client-defaults':
      await client.listAllTools();
      await safe('elicitation', () => client.callTool('test_client_elicitation_defaults', {}));
      break;
    case 'sse-retry':
      await client.listAllTools();
      await safe('reconnection', () => client.callTool('test_reconnection', {}));
      break;
    case 'sep-2322-client-request-state':
      await client.listAllTools();
      for (const t of ['test_mrtr_echo_state', 'test_mrtr_no_state', 'test_mrtr_unrelated', 'test_mrtr_no_result_type'])
        await safe(t, () => client.callTool(t, {}));
      break;
    case 'http-standard-headers': {
      const tools = await client.listAllTools();
      for (const t of tools) await safe(t.name, () => client.callTool(t.name, {}));
      for (const r of await client.listAllResources().catch(() => []))
        await safe(r.uri, () => client.readResource(r.uri));
      for (const p of await client.listAllPrompts().catch(() => []))
        await safe(p.name, () => client.getPrompt(p.name, {}));
      break;
    }
    case 'http-custom-headers':
      await client.listAllTools();
      for (const c of context.toolCalls ?? []) await safe(c.name, () => client.callTool(c.name, c.arguments ?? {}));
      break;
    case 'http-invalid-tool-headers': {
      const tools = await client.listAllTools();
      for (const t of tools) await safe(t.name, () => client.callTool(t.name, {}));
      break;
    }
    case 'json-schema-2020-12-preservation': {
      const tools = await client.listAllTools();
      const schema = tools.find((t) => t.name === 'json_schema_2020_12_tool')?.inputSchema;
      if (schema) await safe('echo', () => client.callTool('json_schema_echo', { schema }));
      break;
    }
    default:
      await client.listAllTools();
  }
await client.close();
process.exit(0);
