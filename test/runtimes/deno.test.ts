// Runtime matrix: Deno, from its npm package (`deno run -A`, resolving packages from node_modules).
import { processRuntimeSuite } from './node-bun-deno.js';

processRuntimeSuite(['deno']);
