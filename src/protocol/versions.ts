// Protocol revisions tsmcp speaks, and which era each belongs to.

/** The current revision: stateless, per-request `_meta`, no handshake. */
export const LATEST_PROTOCOL_VERSION = '2026-07-28';
/** The newest handshake-based revision. */
export const LATEST_LEGACY_VERSION = '2025-11-25';

/** Modern (stateless) revisions, newest first. */
export const MODERN_VERSIONS = ['2026-07-28'] as const;
/** Legacy (initialize handshake) revisions, newest first. */
export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
/** Every revision tsmcp speaks, newest first. */
export const SUPPORTED_PROTOCOL_VERSIONS = [...MODERN_VERSIONS, ...LEGACY_VERSIONS] as const;

export type ModernVersion = (typeof MODERN_VERSIONS)[number];
export type LegacyVersion = (typeof LEGACY_VERSIONS)[number];
export type ProtocolVersion = ModernVersion | LegacyVersion;
export type Era = 'modern' | 'legacy';

const modern: ReadonlySet<string> = new Set(MODERN_VERSIONS);
const legacy: ReadonlySet<string> = new Set(LEGACY_VERSIONS);

export function isModernVersion(v: unknown): v is ModernVersion {
  return typeof v === 'string' && modern.has(v);
}
export function isLegacyVersion(v: unknown): v is LegacyVersion {
  return typeof v === 'string' && legacy.has(v);
}
export function isSupportedVersion(v: unknown): v is ProtocolVersion {
  return isModernVersion(v) || isLegacyVersion(v);
}
export function eraOf(v: ProtocolVersion): Era {
  return modern.has(v) ? 'modern' : 'legacy';
}
// Which revision has which feature: see features.ts (`supports(version, feature)`).
