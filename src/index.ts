/**
 * tsmcp: protocol types, errors and versions shared by client and server (runtime-neutral).
 * @module tsmcp
 */
export * from './protocol/public.js';
