// Runtime matrix: Node 20, 22 and 24 (the running one, or the pinned one from its npm package).
import { processRuntimeSuite } from './node-bun-deno.js';

processRuntimeSuite(['node20', 'node22', 'node24']);
