// jose is an optional peer dependency: loaded on first use, so tsmcp/auth's metadata and custom
// verifiers work without it.
import { TsmcpError } from '../../protocol/errors.js';

let loaded: Promise<typeof import('jose')> | undefined;

/** The jose module, or TSMCP_UNSUPPORTED naming the package to install. */
export function jose(): Promise<typeof import('jose')> {
  loaded ??= import('jose').catch((e: unknown) => {
    loaded = undefined;
    throw new TsmcpError(
      'TSMCP_UNSUPPORTED',
      'JWT verification needs the optional peer dependency jose (npm install jose)',
      {
        cause: e,
      },
    );
  });
  return loaded;
}
