// What the CLI prints: with --json one JSON document on stdout (nothing else there); otherwise text for
// people, starting with the server and the era the client detected.
import type { Client } from '../client/client.js';
import type {
  CallToolResult,
  CompleteResult,
  ContentBlock,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceContents,
  ResourceTemplate,
  Tool,
} from '../protocol/types.js';

export interface Out {
  json: boolean;
  write(text: string): void;
}

export const stdout: (json: boolean) => Out = (json) => ({ json, write: (t) => void process.stdout.write(t) });

const bytes = (b64: string) => Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
const line = (name: string, desc?: string) => `  ${name}${desc ? `  ${desc.split('\n')[0]}` : ''}\n`;

/** The first line of human output: who answered, and in which era. */
export function connected(client: Client): string {
  const info = client.serverInfo;
  const who = info ? `${info.title ?? info.name} ${info.version}` : 'server';
  return `Connected to ${who}: ${client.era} era, protocol ${client.protocolVersion}\n`;
}

export function discovery(client: Client) {
  return {
    era: client.era,
    protocolVersion: client.protocolVersion,
    serverInfo: client.serverInfo,
    capabilities: client.serverCapabilities,
    ...(client.instructions ? { instructions: client.instructions } : {}),
  };
}

export function formatDiscovery(d: ReturnType<typeof discovery>): string {
  const info = d.serverInfo;
  return [
    `Era:              ${d.era}`,
    `Protocol version: ${d.protocolVersion}`,
    `Server:           ${info ? `${info.name} ${info.version}${info.title ? ` (${info.title})` : ''}` : '(unknown)'}`,
    `Capabilities:     ${Object.keys(d.capabilities).join(', ') || '(none)'}`,
    ...(d.instructions ? [`Instructions:     ${d.instructions}`] : []),
    `${JSON.stringify(d.capabilities, null, 2)}`,
    '',
  ].join('\n');
}

export interface Listing {
  tools?: Tool[];
  resources?: Resource[];
  resourceTemplates?: ResourceTemplate[];
  prompts?: Prompt[];
}

export function formatListing(l: Listing): string {
  let s = '';
  if (l.tools) s += `Tools (${l.tools.length})\n${l.tools.map((t) => line(t.name, t.description)).join('')}`;
  if (l.resources) s += `Resources (${l.resources.length})\n${l.resources.map((r) => line(r.uri, r.name)).join('')}`;
  if (l.resourceTemplates)
    s += `Resource templates (${l.resourceTemplates.length})\n${l.resourceTemplates.map((r) => line(r.uriTemplate, r.name)).join('')}`;
  if (l.prompts) {
    const args = (p: Prompt) =>
      p.arguments?.length ? `(${p.arguments.map((a) => (a.required ? a.name : `${a.name}?`)).join(', ')})` : '';
    s += `Prompts (${l.prompts.length})\n${l.prompts.map((p) => line(`${p.name}${args(p)}`, p.description)).join('')}`;
  }
  return s;
}

function contents(c: ResourceContents): string {
  const mime = c.mimeType ? ` ${c.mimeType}` : '';
  return 'text' in c ? `${c.text}\n` : `[binary${mime}, ${bytes(c.blob)} bytes: ${c.uri}]\n`;
}

function block(b: ContentBlock): string {
  switch (b.type) {
    case 'text':
      return b.text.endsWith('\n') ? b.text : `${b.text}\n`;
    case 'image':
    case 'audio':
      return `[${b.type} ${b.mimeType}, ${bytes(b.data)} bytes]\n`;
    case 'resource':
      return `[resource ${b.resource.uri}]\n${contents(b.resource)}`;
    case 'resource_link':
      return `[link ${b.uri}${b.name ? ` (${b.name})` : ''}]\n`;
    default:
      return `${JSON.stringify(b)}\n`;
  }
}

export function formatCall(r: CallToolResult): string {
  let s = r.isError ? 'The tool reported an error:\n' : '';
  s += r.content.map(block).join('');
  if (r.structuredContent !== undefined) s += `structuredContent:\n${JSON.stringify(r.structuredContent, null, 2)}\n`;
  return s;
}

export function formatRead(r: ReadResourceResult): string {
  return r.contents.map(contents).join('');
}

export function formatPrompt(r: GetPromptResult): string {
  return `${r.description ? `${r.description}\n` : ''}${r.messages.map((m) => `${m.role}: ${block(m.content)}`).join('')}`;
}

export function formatCompletion(c: CompleteResult['completion']): string {
  const more = c.hasMore ? `(more${c.total !== undefined ? `: ${c.total} in all` : ''})\n` : '';
  return `${c.values.join('\n')}${c.values.length ? '\n' : '(no completions)\n'}${more}`;
}

/** Print a result: the JSON document, or the human text after the connected line. */
export function print(out: Out, client: Client, value: unknown, human: string): void {
  out.write(out.json ? `${JSON.stringify(value, null, 2)}\n` : `${connected(client)}${human}`);
}
