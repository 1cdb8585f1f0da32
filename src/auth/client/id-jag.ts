// Enterprise-managed authorization (SEP-990): the enterprise IdP exchanges the user's ID token for an
// ID-JAG (RFC 8693 token exchange), which the JWT-bearer grant then presents at the MCP server's AS.
import { bytesToBase64 } from '../../protocol/base64.js';
import { DEFAULT_AUTH_MAX_DOCUMENT_BYTES, readJson, secureUrl } from './discovery.js';
import { AuthError, reason } from './errors.js';
import type { AssertionContext } from './grants.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_JAG_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const EXCHANGE = 'token exchange response';

export interface IdJagOptions {
  /** The enterprise IdP's token endpoint (HTTPS, or loopback http). */
  idpTokenEndpoint: string;
  /** The user's token at the IdP (an ID token by default), asked for on every exchange. */
  subjectToken: () => string | Promise<string>;
  /** RFC 8693 `subject_token_type`. Default `urn:ietf:params:oauth:token-type:id_token`. */
  subjectTokenType?: string;
  /** This client at the IdP. */
  clientId: string;
  /** Sent as HTTP Basic (client_secret_basic); without it `client_id` goes in the body. */
  clientSecret?: string;
  /** The ID-JAG's audience. Default: the issuer of the AS the grant is for. */
  audience?: string;
  /** The RFC 8707 resource named in the ID-JAG. Default: the MCP server's resource (its PRM `resource`). */
  resource?: string;
  /** The fetch for the exchange. Default: the global fetch. */
  fetch?: typeof fetch;
  /** Largest IdP answer, in bytes. Default 256 KiB (`DEFAULT_AUTH_MAX_DOCUMENT_BYTES`). */
  maxDocumentBytes?: number;
}

/**
 * An `assertion` callback for the `jwt_bearer` grant that fetches a fresh ID-JAG from the IdP per token
 * request. An IdP refusal, or an answer whose `issued_token_type` is not the ID-JAG type, fails with
 * `TSMCP_AUTH_ID_JAG` (no retry; the AS is never asked).
 * @example
 * oauthClient({ serverUrl, grant: { type: 'jwt_bearer', clientId, clientSecret,
 *   assertion: idJagAssertion({ idpTokenEndpoint, subjectToken: () => idToken, clientId: idpClientId }) } })
 */
export function idJagAssertion(options: IdJagOptions): (context: AssertionContext) => Promise<string> {
  const endpoint = secureUrl(options.idpTokenEndpoint, 'idJagAssertion', 'idpTokenEndpoint');
  const f = {
    fetch: options.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a)),
    maxDocumentBytes: options.maxDocumentBytes ?? DEFAULT_AUTH_MAX_DOCUMENT_BYTES,
  };
  return async (ctx) => {
    const body = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: await options.subjectToken(),
      subject_token_type: options.subjectTokenType ?? ID_TOKEN_TYPE,
      requested_token_type: ID_JAG_TOKEN_TYPE,
      audience: options.audience ?? ctx.issuer,
    });
    const resource = options.resource ?? ctx.resource;
    if (resource !== undefined) body.set('resource', resource);
    if (ctx.scope) body.set('scope', ctx.scope);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (options.clientSecret === undefined) body.set('client_id', options.clientId);
    else headers.authorization = basic(options.clientId, options.clientSecret);
    let res: Response;
    try {
      res = await f.fetch(endpoint, { method: 'POST', redirect: 'manual', headers, body: body.toString() });
    } catch (e) {
      throw new AuthError('TSMCP_AUTH_FETCH', `POST ${endpoint.href} failed`, { document: EXCHANGE }, e);
    }
    const doc = await readJson(f, res, EXCHANGE);
    if (!res.ok || doc.error !== undefined)
      throw new AuthError(
        'TSMCP_AUTH_ID_JAG',
        `The IdP refused the token exchange (HTTP ${res.status}${reason(doc)})`,
        {
          document: EXCHANGE,
          field: 'error',
          expected: 'an ID-JAG',
          received: String(doc.error ?? 'nothing'),
        },
      );
    if (doc.issued_token_type !== ID_JAG_TOKEN_TYPE)
      throw new AuthError('TSMCP_AUTH_ID_JAG', 'The IdP issued something other than an ID-JAG', {
        document: EXCHANGE,
        field: 'issued_token_type',
        expected: ID_JAG_TOKEN_TYPE,
        received: doc.issued_token_type === undefined ? 'nothing' : String(doc.issued_token_type),
      });
    if (typeof doc.access_token !== 'string' || !doc.access_token)
      throw new AuthError('TSMCP_AUTH_ID_JAG', 'The token exchange answer carries no token', {
        document: EXCHANGE,
        field: 'access_token',
        expected: 'the ID-JAG (a JWT)',
        received: typeof doc.access_token,
      });
    return doc.access_token;
  };
}

/** RFC 6749 §2.3.1: id and secret form-encoded, then Basic. */
function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${bytesToBase64(new TextEncoder().encode(`${enc(id)}:${enc(secret)}`))}`;
}
