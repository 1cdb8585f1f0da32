// Bare stdio responder for `npm run bench`: no MCP work. It splits stdin into lines, reads each request's
// id and method (JSON.parse, as any JSON-RPC peer must), and answers with a canned result: an initialize
// result for `initialize`, one tool for `tools/list`, an echo result for anything else; notifications get
// nothing. The answers to one chunk of input go out in one write: the physical limit of a stdio server.
const INIT = {
  protocolVersion: '2025-11-25',
  capabilities: { tools: {} },
  serverInfo: { name: 'bare', version: '1' },
};
const TOOLS = {
  tools: [
    {
      name: 'echo',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    },
  ],
};
const tail = (result: object) => `,"result":${JSON.stringify(result)}}\n`;
const ANSWERS: { [method: string]: string } = { initialize: tail(INIT), 'tools/list': tail(TOOLS) };
const ECHO = tail({ content: [{ type: 'text', text: 'hi' }] });

let rest = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const text = rest + chunk;
  let out = '';
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    const line = text.slice(start, nl);
    start = nl + 1;
    if (!line.trim()) continue;
    const m = JSON.parse(line) as { id?: string | number; method?: string };
    if (m.id === undefined) continue;
    out += `{"jsonrpc":"2.0","id":${JSON.stringify(m.id)}${ANSWERS[m.method!] ?? ECHO}`;
  }
  rest = text.slice(start);
  if (out) process.stdout.write(out);
});
process.stdin.on('end', () => process.exit(0));
