// A deliberate tool failure whose message is meant for the model; anything else thrown stays private.
import type { ContentBlock } from '../protocol/types.js';

const BRAND = Symbol.for('tsmcp.ToolError');

/**
 * Throw from a tool handler to return `isError: true` with this message. Other exceptions become a
 * generic "internal error" result so stack traces and internals never reach the client.
 * @example throw new ToolError('City not found: Atlantis');
 */
export class ToolError extends Error {
  readonly content: ContentBlock[] | undefined;
  constructor(message: string, options?: { content?: ContentBlock[]; cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
    this.content = options?.content;
  }
  static override [Symbol.hasInstance](v: unknown): boolean {
    return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[BRAND] === true;
  }
}
Object.defineProperty(ToolError.prototype, BRAND, { value: true });
