/**
 * tsmcp/otel: OpenTelemetry spans, metrics and trace propagation for `server.use()` and `client.use()`.
 * The only module of tsmcp that loads the optional peer `@opentelemetry/api` (docs/telemetry.md).
 * @module tsmcp/otel
 */
export { clientTelemetry } from './client.js';
export type { TelemetryOptions } from './instruments.js';
export { serverTelemetry } from './server.js';
