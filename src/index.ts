// tsmcp: protocol types, errors and versions shared by client and server (runtime-neutral).
export * from './protocol/public.js';
