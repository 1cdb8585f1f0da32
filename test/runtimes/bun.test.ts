// Runtime matrix: Bun, from its npm package.
import { processRuntimeSuite } from './node-bun-deno.js';

processRuntimeSuite(['bun']);
