// Which revision has which feature: the one table every revision-dependent decision reads.
// test/protocol/features.test.ts checks it against the vendored schemas so it cannot drift.
import type { ProtocolVersion } from './versions.js';

/** A feature's lifetime: from `since` (inclusive) up to `until` (exclusive, the revision that removed it). */
export interface FeatureSpan {
  readonly since: ProtocolVersion;
  readonly until?: ProtocolVersion;
}

/** The revision-dependent features tsmcp decides on, with the revisions that introduced (and removed) them. */
export const FEATURES = {
  /** JSON-RPC batches (2025-03-26 changelog: PR #228; removed by 2025-06-18, PR #416). */
  batching: { since: '2025-03-26', until: '2025-06-18' },
  /** `AudioContent` blocks (2025-03-26 changelog: "Added support for audio data"). */
  audioContent: { since: '2025-03-26' },
  /** `Tool.annotations` (2025-03-26 changelog: tool annotations, PR #185). */
  toolAnnotations: { since: '2025-03-26' },
  /** The `completions` server capability (2025-03-26 changelog: "Added `completions` capability"). */
  completions: { since: '2025-03-26' },
  /** `title` on Implementation and other named things (2025-06-18 changelog: `title` fields, PR #663). */
  titles: { since: '2025-06-18' },
  /** `resource_link` content blocks (2025-06-18 changelog: resource links in tool results, PR #603). */
  resourceLinks: { since: '2025-06-18' },
  /** `outputSchema` and `structuredContent` (2025-06-18 changelog: structured tool output, PR #371). */
  structuredOutput: { since: '2025-06-18' },
  /** `elicitation/create`, form mode (2025-06-18 changelog: elicitation, PR #382). */
  elicitation: { since: '2025-06-18' },
  /** The `MCP-Protocol-Version` header on every HTTP request after initialize (2025-06-18 changelog, PR #548). */
  protocolVersionHeader: { since: '2025-06-18' },
  /** URL-mode elicitation and the `elicitation.form`/`.url` capability modes (2025-11-25, SEP-1036). */
  'elicitation.url': { since: '2025-11-25' },
  /** Multi-select (array) fields in elicitation schemas (2025-11-25, SEP-1330). */
  'elicitation.multiSelect': { since: '2025-11-25' },
  /** `elicitationId` on URL-mode elicitation (2025-11-25, SEP-1036; removed in 2026-07-28 with MRTR). */
  elicitationId: { since: '2025-11-25', until: '2026-07-28' },
  /** `notifications/elicitation/complete` (2025-11-25, SEP-1036; removed in 2026-07-28). */
  elicitationComplete: { since: '2025-11-25', until: '2026-07-28' },
  /** The `sampling.tools` capability, `tools`/`toolChoice` in sampling (2025-11-25, SEP-1577). */
  'sampling.tools': { since: '2025-11-25' },
  /** The `sampling.context` capability gating `includeContext` other than `none` (2025-11-25, with SEP-1577). */
  'sampling.context': { since: '2025-11-25' },
  /** Icons, `Implementation.description`/`websiteUrl` (2025-11-25, SEP-973). */
  icons: { since: '2025-11-25' },
  /** JSON Schema 2020-12 as the default dialect of a schema without `$schema` (2025-11-25, SEP-1613). */
  jsonSchema2020Default: { since: '2025-11-25' },
  /** SSE polling: priming event, `retry`, closing the connection (2025-11-25, SEP-1699; no sessions in 2026-07-28). */
  ssePolling: { since: '2025-11-25', until: '2026-07-28' },
  /** Experimental core tasks: `tasks` capability, `params.task` (2025-11-25, SEP-1686; an extension in 2026-07-28). */
  experimentalTasks: { since: '2025-11-25', until: '2026-07-28' },
  /** `tasks/get|result|list|cancel`: core in 2025-11-25 (SEP-1686), the tasks extension's from 2026-07-28 on. */
  tasks: { since: '2025-11-25' },
} as const satisfies { readonly [name: string]: FeatureSpan };

/** A revision-dependent feature (see {@link FEATURES}). */
export type Feature = keyof typeof FEATURES;

/**
 * Whether revision `version` has `feature`. Revisions are ISO dates, so they compare as strings; a
 * version string tsmcp does not know (say, an answer from a newer server) is placed by its date.
 */
export function supports(version: string, feature: Feature): boolean {
  const span: FeatureSpan = FEATURES[feature];
  return version >= span.since && (span.until === undefined || version < span.until);
}
