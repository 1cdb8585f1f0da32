// jose is an optional peer dependency of tsmcp/auth: loaded on first use, by the features that need it
// (JWT verification, private_key_jwt), so metadata, custom verifiers and plain OAuth work without it.
import { TsmcpError } from '../protocol/errors.js';

let loaded: Promise<typeof import('jose')> | undefined;

/** The jose module, or TSMCP_UNSUPPORTED naming the feature (`what`) and the package to install. */
export function jose(what: string): Promise<typeof import('jose')> {
  loaded ??= import('jose').catch((e: unknown) => {
    loaded = undefined;
    throw new TsmcpError('TSMCP_UNSUPPORTED', `${what} needs the optional peer dependency jose (npm install jose)`, {
      cause: e,
    });
  });
  return loaded;
}
