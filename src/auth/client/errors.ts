// Typed authorization failures: a stable code plus the document, field, expected and received values, so
// a caller (or a test) can tell a foreign issuer from a missing PKCE method without parsing messages.
import { TsmcpError } from '../../protocol/errors.js';

export interface AuthErrorDetail {
  /** Which document or message: 'protected resource metadata', 'authorization server metadata', … */
  document?: string;
  field?: string;
  expected?: string;
  received?: string;
}

/** An authorization failure with a `TSMCP_AUTH_…` code. */
export class AuthError extends TsmcpError {
  readonly document: string | undefined;
  readonly field: string | undefined;
  readonly expected: string | undefined;
  readonly received: string | undefined;
  constructor(code: `TSMCP_AUTH_${string}`, message: string, detail: AuthErrorDetail = {}, cause?: unknown) {
    const where = detail.document ? ` (${detail.document}${detail.field ? ` field ${detail.field}` : ''})` : '';
    const what =
      detail.expected !== undefined || detail.received !== undefined
        ? `: expected ${detail.expected ?? '—'}, received ${detail.received ?? 'nothing'}`
        : '';
    super(code, `${message}${where}${what}`, cause === undefined ? undefined : { cause });
    this.name = 'AuthError';
    this.document = detail.document;
    this.field = detail.field;
    this.expected = detail.expected;
    this.received = detail.received;
  }
}

/** An OAuth error answer's `error_description` (RFC 6749 §5.2), shortened, for a message: why it refused. */
export function reason(doc: Record<string, unknown>): string {
  const d = doc.error_description;
  return typeof d === 'string' && d ? `: ${d.slice(0, 200)}` : '';
}
