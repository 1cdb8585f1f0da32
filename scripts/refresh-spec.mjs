// Refresh spec/ (the vendored official MCP schemas the tests validate against) from local checkouts of
// modelcontextprotocol/modelcontextprotocol and, optionally, modelcontextprotocol/ext-tasks. See spec/README.md.
//
//   node scripts/refresh-spec.mjs <spec-checkout> [<ext-tasks-checkout>]
import { execFileSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REVISIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'];
const spec = join(dirname(fileURLToPath(import.meta.url)), '..', 'spec');
const [specCheckout, tasksCheckout] = process.argv.slice(2);
if (!specCheckout) {
  process.stderr.write('usage: node scripts/refresh-spec.mjs <modelcontextprotocol checkout> [<ext-tasks checkout>]\n');
  process.exit(2);
}

function commitOf(checkout) {
  try {
    return execFileSync('git', ['-C', checkout, 'rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '(not a git checkout)';
  }
}

function sha256(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** Copy one upstream folder's schema.json (and examples/, when upstream has them) over spec/<name>. */
function copy(fromDir, name) {
  const schema = join(fromDir, 'schema.json');
  if (!existsSync(schema)) throw new Error(`missing ${schema}`);
  const to = join(spec, name);
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  cpSync(schema, join(to, 'schema.json'));
  if (existsSync(join(fromDir, 'examples')))
    cpSync(join(fromDir, 'examples'), join(to, 'examples'), { recursive: true });
}

for (const rev of REVISIONS) copy(join(specCheckout, 'schema', rev), rev);
console.log(`modelcontextprotocol/modelcontextprotocol at ${commitOf(specCheckout)}`);
if (tasksCheckout) {
  copy(join(tasksCheckout, 'schema', 'draft'), 'ext-tasks');
  console.log(`modelcontextprotocol/ext-tasks at ${commitOf(tasksCheckout)}`);
}
for (const name of [...REVISIONS, 'ext-tasks'])
  console.log(`${await sha256(join(spec, name, 'schema.json'))}  ${name}/schema.json`);
