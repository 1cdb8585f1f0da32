import { TsmcpError } from 'tsmcp';
import { AuthError } from 'tsmcp/auth';

export function authErrorOf(e: unknown): AuthError | undefined {
  for (let x = e, depth = 0; x instanceof TsmcpError && depth < 3; x = x.cause, depth++)
    if (x instanceof AuthError) return x;
  return undefined;
}

const refused = new AuthError('TSMCP_AUTH_TOKEN', 'the token endpoint refused', { received: 'invalid_scope' });
const wrapped = new TsmcpError('TSMCP_HTTP', 'POST failed', { cause: refused });
console.log(authErrorOf(wrapped)?.code, authErrorOf(wrapped)?.received); // TSMCP_AUTH_TOKEN invalid_scope
