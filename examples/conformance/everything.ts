// The "everything server": every tool, resource and prompt the official conformance suite calls
// (the server scenarios of the official conformance suite, run by scripts/conformance.mjs), on any transport, for both eras.
import { McpError, ErrorCode } from '../../src/protocol/errors.js';
import { McpServer, ToolError, runAsTask, type RequestContext } from '../../src/entries/server.js';
import type { ContentBlock, ElicitFormParams } from '../../src/protocol/types.js';

/** 1×1 transparent PNG. */
export const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
/** A 44-byte silent WAV header with no samples. */
export const WAV = 'UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=';

const text = (t: string): ContentBlock => ({ type: 'text', text: t });
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

export const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
} as const;

const nameForm = (message: string): ElicitFormParams => ({
  message,
  requestedSchema: {
    type: 'object',
    properties: { name: { type: 'string', description: 'Your name' } },
    required: ['name'],
  },
});

/** Build the conformance everything server. */
export function createEverythingServer(): McpServer {
  const server = new McpServer(
    { name: 'tsmcp-everything', version: '0.1.0', title: 'tsmcp everything server' },
    {
      capabilities: { logging: {}, completions: {} },
      instructions: 'Conformance fixture: every feature, deterministic answers.',
      tasks: { pollIntervalMs: 100 },
    },
  );
  const noArgs = { type: 'object', properties: {} } as const;

  server.registerTool(
    'test_simple_text',
    { description: 'Returns a simple text response', inputSchema: noArgs },
    () => ({
      content: [text('This is a simple text response for testing.')],
    }),
  );
  server.registerTool('test_image_content', { description: 'Returns an image', inputSchema: noArgs }, () => ({
    content: [{ type: 'image', data: PNG, mimeType: 'image/png' }],
  }));
  server.registerTool('test_audio_content', { description: 'Returns audio', inputSchema: noArgs }, () => ({
    content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }],
  }));
  server.registerTool(
    'test_embedded_resource',
    { description: 'Returns an embedded resource', inputSchema: noArgs },
    () => ({
      content: [
        {
          type: 'resource',
          resource: {
            uri: 'test://embedded-resource',
            mimeType: 'text/plain',
            text: 'This is an embedded resource content.',
          },
        },
      ],
    }),
  );
  server.registerTool(
    'test_multiple_content_types',
    { description: 'Returns text, an image and a resource', inputSchema: noArgs },
    () => ({
      content: [
        text('Multiple content types test:'),
        { type: 'image', data: PNG, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: '{"test":"data","value":123}',
          },
        },
      ],
    }),
  );
  server.registerTool(
    'test_tool_with_logging',
    { description: 'Logs three messages while running', inputSchema: noArgs },
    async (_a, ctx) => {
      await ctx.log('info', 'Tool execution started');
      await sleep(50, ctx.signal);
      await ctx.log('info', 'Tool processing data');
      await sleep(50, ctx.signal);
      await ctx.log('info', 'Tool execution completed');
      return { content: [text('Tool with logging executed successfully')] };
    },
  );
  server.registerTool(
    'test_logging_tool',
    { description: 'Logs only when the request asked for a log level', inputSchema: noArgs },
    async (_a, ctx) => {
      await ctx.log('info', 'Logging tool message');
      return { content: [text('Logging tool executed')] };
    },
  );
  server.registerTool(
    'test_tool_with_progress',
    { description: 'Reports progress 0, 50, 100', inputSchema: noArgs },
    async (_a, ctx) => {
      for (const p of [0, 50, 100]) {
        await ctx.progress(p, 100, `Completed step ${p / 50 + 1} of 3`);
        if (p < 100) await sleep(50, ctx.signal);
      }
      return { content: [text('Progress tool completed')] };
    },
  );
  server.registerTool(
    'test_error_handling',
    { description: 'Always fails as a tool error', inputSchema: noArgs },
    () => {
      throw new ToolError('This tool intentionally returns an error for testing');
    },
  );
  server.registerTool(
    'test_sampling',
    {
      description: 'Asks the client model',
      inputSchema: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'] },
    },
    async (args, ctx) => {
      const r = await ctx.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt) } }],
        maxTokens: 100,
      });
      const c = Array.isArray(r.content) ? r.content[0] : r.content;
      return { content: [text(`LLM response: ${c && c.type === 'text' ? String(c.text) : JSON.stringify(c)}`)] };
    },
  );
  server.registerTool(
    'test_elicitation',
    {
      description: 'Asks the user for a username and email',
      inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    },
    async (args, ctx) => {
      const r = await ctx.elicit({
        message: String(args.message),
        requestedSchema: {
          type: 'object',
          properties: {
            username: { type: 'string', description: 'User name' },
            email: { type: 'string', description: 'Email address' },
          },
          required: ['username', 'email'],
        },
      });
      return { content: [text(`User response: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`)] };
    },
  );
  server.registerTool(
    'test_elicitation_sep1034_defaults',
    { description: 'Elicits a form whose fields have defaults', inputSchema: noArgs },
    async (_a, ctx) => {
      const r = await ctx.elicit({
        message: 'Please review and update the form fields with defaults',
        requestedSchema: {
          type: 'object',
          properties: {
            name: { type: 'string', description: 'User name', default: 'John Doe' },
            age: { type: 'integer', description: 'User age', default: 30 },
            score: { type: 'number', description: 'User score', default: 95.5 },
            status: {
              type: 'string',
              description: 'User status',
              enum: ['active', 'inactive', 'pending'],
              default: 'active',
            },
            verified: { type: 'boolean', description: 'Verification status', default: true },
          },
          required: [],
        },
      });
      return {
        content: [text(`Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`)],
      };
    },
  );
  server.registerTool(
    'test_elicitation_sep1330_enums',
    { description: 'Elicits the five enum shapes', inputSchema: noArgs },
    async (_a, ctx) => {
      const r = await ctx.elicit({
        message: 'Please select options from the enum fields',
        requestedSchema: {
          type: 'object',
          properties: {
            untitledSingle: {
              type: 'string',
              description: 'Untitled single-select',
              enum: ['option1', 'option2', 'option3'],
            },
            titledSingle: {
              type: 'string',
              description: 'Titled single-select',
              oneOf: [
                { const: 'value1', title: 'First Option' },
                { const: 'value2', title: 'Second Option' },
                { const: 'value3', title: 'Third Option' },
              ],
            },
            legacyEnum: {
              type: 'string',
              description: 'Legacy titled enum',
              enum: ['opt1', 'opt2', 'opt3'],
              enumNames: ['Option One', 'Option Two', 'Option Three'],
            },
            untitledMulti: {
              type: 'array',
              description: 'Untitled multi-select',
              items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
            },
            titledMulti: {
              type: 'array',
              description: 'Titled multi-select',
              items: {
                anyOf: [
                  { const: 'value1', title: 'First Choice' },
                  { const: 'value2', title: 'Second Choice' },
                  { const: 'value3', title: 'Third Choice' },
                ],
              },
            },
          },
          required: [],
        },
      });
      return {
        content: [text(`Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`)],
      };
    },
  );
  server.registerTool(
    'json_schema_2020_12_tool',
    { description: 'Keeps a JSON Schema 2020-12 input schema as written', inputSchema: JSON_SCHEMA_2020_12 },
    (args) => ({
      content: [text(`Received: ${JSON.stringify(args)}`)],
    }),
  );
  server.registerTool(
    'test_header_param',
    {
      description: 'Mirrors its region argument into the Mcp-Param-Region header',
      inputSchema: {
        type: 'object',
        properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, query: { type: 'string' } },
        required: ['query'],
      },
    },
    (args) => ({ content: [text(`region=${String(args.region ?? '')} query=${String(args.query)}`)] }),
  );
  server.registerTool(
    'test_reconnection',
    {
      description: 'Closes its SSE stream mid-call (2025-11-25 HTTP polling); the result arrives on the resumed stream',
      inputSchema: noArgs,
    },
    async (_a, ctx) => {
      await sleep(50, ctx.signal);
      ctx.closeStream(500);
      await sleep(200, ctx.signal);
      return { content: [text('Reconnection test completed')] };
    },
  );

  // ---- 2026-07-28 diagnostics
  server.registerTool(
    'test_missing_capability',
    { description: 'Needs the client sampling capability', inputSchema: noArgs },
    async (_a, ctx) => {
      if (!ctx.clientCapabilities.sampling) {
        throw new McpError(ErrorCode.MissingRequiredClientCapability, 'This tool needs the sampling capability', {
          requiredCapabilities: { sampling: {} },
        });
      }
      return { content: [text('Client declared sampling')] };
    },
  );
  server.registerTool(
    'test_streaming_elicitation',
    { description: 'Asks for input (never as a server-to-client request on 2026-07-28)', inputSchema: noArgs },
    async (_a, ctx) => {
      const r = await ctx.elicit(nameForm('What is your name?'), { key: 'user_name' });
      return { content: [text(`Hello, ${String(r.content?.name ?? 'stranger')}!`)] };
    },
  );
  let dynamicTool: { remove(): void } | undefined;
  server.registerTool(
    'test_trigger_tool_change',
    { description: 'Adds or removes a tool, so the tool list changes', inputSchema: noArgs },
    () => {
      if (dynamicTool) {
        dynamicTool.remove();
        dynamicTool = undefined;
      } else {
        dynamicTool = server.registerTool(
          'test_dynamic_tool',
          { description: 'Appears and disappears', inputSchema: noArgs },
          () => ({ content: [text('dynamic')] }),
        );
      }
      return { content: [text('Tool list changed')] };
    },
  );
  let dynamicPrompt: { remove(): void } | undefined;
  server.registerTool(
    'test_trigger_prompt_change',
    { description: 'Adds or removes a prompt, so the prompt list changes', inputSchema: noArgs },
    () => {
      if (dynamicPrompt) {
        dynamicPrompt.remove();
        dynamicPrompt = undefined;
      } else {
        dynamicPrompt = server.registerPrompt('test_dynamic_prompt', { description: 'Appears and disappears' }, () => [
          { role: 'user', content: text('dynamic') },
        ]);
      }
      return { content: [text('Prompt list changed')] };
    },
  );

  // ---- multi round-trip (SEP-2322)
  server.registerTool(
    'test_input_required_result_elicitation',
    { description: 'Asks for your name, then greets you', inputSchema: noArgs },
    async (_a, ctx) => {
      const r = await ctx.elicit(nameForm('What is your name?'), { key: 'user_name' });
      return { content: [text(`Hello, ${String(r.content?.name ?? 'stranger')}!`)] };
    },
  );
  server.registerTool(
    'test_input_required_result_sampling',
    { description: 'Asks the client model a question', inputSchema: noArgs },
    async (_a, ctx) => {
      const r = await ctx.createMessage(
        {
          messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }],
          maxTokens: 100,
        },
        { key: 'capital_question' },
      );
      const c = Array.isArray(r.content) ? r.content[0] : r.content;
      return { content: [text(`The model answered: ${c && c.type === 'text' ? String(c.text) : JSON.stringify(c)}`)] };
    },
  );
  server.registerTool(
    'test_input_required_result_list_roots',
    { description: 'Asks for the client roots', inputSchema: noArgs },
    async (_a, ctx) => {
      const r = await ctx.listRoots({ key: 'client_roots' });
      return { content: [text(`Roots: ${r.roots.map((x) => x.uri).join(', ')}`)] };
    },
  );
  server.registerTool(
    'test_input_required_result_request_state',
    { description: 'Round-trips opaque request state', inputSchema: noArgs },
    async (_a, ctx) => {
      const r = await ctx.elicit(
        {
          message: 'Confirm?',
          requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
        },
        { key: 'confirm' },
      );
      return { content: [text(r.action === 'accept' ? 'state-ok: confirmed' : `state-ok: ${r.action}`)] };
    },
  );
  server.registerTool(
    'test_input_required_result_multiple_inputs',
    { description: 'Asks for several inputs in one round', inputSchema: noArgs },
    async (_a, ctx) => {
      const caps = ctx.clientCapabilities;
      const asks: Parameters<RequestContext['input']>[0] = {};
      if (caps.elicitation) asks.user_name = { method: 'elicitation/create', params: nameForm('What is your name?') };
      if (caps.sampling)
        asks.greeting = {
          method: 'sampling/createMessage',
          params: { messages: [{ role: 'user', content: { type: 'text', text: 'Write a greeting' } }], maxTokens: 50 },
        };
      if (caps.roots) asks.client_roots = { method: 'roots/list' };
      const r = await ctx.input(asks);
      return { content: [text(`Received inputs: ${Object.keys(r).sort().join(', ')}`)] };
    },
  );
  server.registerTool(
    'test_input_required_result_multi_round',
    { description: 'Two rounds of input', inputSchema: noArgs },
    async (_a, ctx) => {
      const a = await ctx.elicit(nameForm('What is your name?'), { key: 'step1' });
      const b = await ctx.elicit(
        {
          message: 'What is your favourite color?',
          requestedSchema: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
        },
        { key: 'step2' },
      );
      return { content: [text(`${String(a.content?.name)} likes ${String(b.content?.color)}`)] };
    },
  );
  server.registerTool(
    'test_input_required_result_tampered_state',
    { description: 'Integrity-protected state; tampering is rejected', inputSchema: noArgs },
    async (_a, ctx) => {
      const r = await ctx.elicit(nameForm('What is your name?'), { key: 'user_name' });
      return { content: [text(`Hello, ${String(r.content?.name ?? 'stranger')}!`)] };
    },
  );
  server.registerTool(
    'test_input_required_result_capabilities',
    { description: 'Only asks for what the client declared', inputSchema: noArgs },
    async (_a, ctx) => {
      const caps = ctx.clientCapabilities;
      if (caps.elicitation) {
        const r = await ctx.elicit(nameForm('What is your name?'), { key: 'user_name' });
        return { content: [text(`Hello, ${String(r.content?.name ?? 'stranger')}!`)] };
      }
      if (caps.sampling) {
        await ctx.createMessage(
          { messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }], maxTokens: 20 },
          { key: 'greeting' },
        );
        return { content: [text('Sampled a greeting')] };
      }
      if (caps.roots) {
        const r = await ctx.listRoots({ key: 'client_roots' });
        return { content: [text(`Roots: ${r.roots.length}`)] };
      }
      return { content: [text('No input capabilities declared; nothing to ask')] };
    },
  );

  // ---- tasks extension (SEP-2663)
  server.registerTool(
    'greet',
    { description: 'Greets synchronously', inputSchema: { type: 'object', properties: { name: { type: 'string' } } } },
    (a) => ({
      content: [text(`Hello, ${String(a.name ?? 'World')}!`)],
    }),
  );
  server.registerTool(
    'slow_compute',
    {
      description: 'Sleeps `seconds`, then answers (a task when the client takes tasks)',
      task: 'optional',
      inputSchema: { type: 'object', properties: { seconds: { type: 'number' }, label: { type: 'string' } } },
    },
    async (a, ctx) => {
      await sleep(Number(a.seconds ?? 1) * 1000, ctx.signal);
      return { content: [text(`Computed ${String(a.label ?? 'result')} after ${String(a.seconds ?? 1)}s`)] };
    },
  );
  server.registerTool(
    'failing_job',
    { description: 'A task whose tool reports an error after about a second', task: 'always', inputSchema: noArgs },
    async (_a, ctx) => {
      await sleep(1000, ctx.signal);
      throw new ToolError('The job failed');
    },
  );
  server.registerTool(
    'protocol_error_job',
    { description: 'A task that ends in a protocol error', task: 'optional', inputSchema: noArgs },
    async (_a, ctx) => {
      await sleep(200, ctx.signal);
      throw new McpError(ErrorCode.InternalError, 'The job crashed');
    },
  );
  server.registerTool(
    'confirm_delete',
    {
      description: 'A task that asks for confirmation',
      task: 'optional',
      inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
    },
    async (a, ctx) => {
      const r = await ctx.elicit({
        message: `Delete ${String(a.path ?? 'the file')}?`,
        requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] },
      });
      return { content: [text(r.action === 'accept' && r.content?.confirm ? 'Deleted' : 'Kept')] };
    },
  );
  server.registerTool(
    'multi_input',
    { description: 'A task that asks two questions at once', task: 'optional', inputSchema: noArgs },
    async (_a, ctx) => {
      const r = await ctx.input({
        first: { method: 'elicitation/create', params: nameForm('First name?') },
        second: { method: 'elicitation/create', params: nameForm('Second name?') },
      });
      return { content: [text(`Got ${Object.keys(r).sort().join(', ')}`)] };
    },
  );
  server.registerTool(
    'test_tool_with_task',
    { description: 'Asks for your name, then continues as a task', task: 'on-demand', inputSchema: noArgs },
    async (_a, ctx) => {
      const r = await ctx.elicit(nameForm('What is your name?'), { key: 'user_name' });
      const name = String(r.content?.name ?? 'stranger');
      return runAsTask(async (tctx) => {
        await sleep(200, tctx.signal);
        return { content: [text(`Hello, ${name}! Your task is done.`)] };
      });
    },
  );

  // ---- resources
  server.registerResource(
    'Static Text Resource',
    'test://static-text',
    { description: 'A static text resource', mimeType: 'text/plain' },
    (uri) => [{ uri, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
  );
  server.registerResource(
    'Static Binary Resource',
    'test://static-binary',
    { description: 'A static binary resource', mimeType: 'image/png' },
    (uri) => [{ uri, mimeType: 'image/png', blob: PNG }],
  );
  server.registerResource(
    'Watched Resource',
    'test://watched-resource',
    { description: 'A resource you can subscribe to', mimeType: 'text/plain' },
    (uri) => [{ uri, mimeType: 'text/plain', text: 'Watched resource content' }],
  );
  server.registerResourceTemplate(
    'Resource Template',
    'test://template/{id}/data',
    {
      description: 'A templated resource',
      mimeType: 'application/json',
      complete: { id: (v) => ['1', '2', '3', '123'].filter((x) => x.startsWith(v)) },
    },
    (uri, vars) => [
      {
        uri,
        mimeType: 'application/json',
        text: JSON.stringify({ id: vars.id, templateTest: true, data: `Data for ID: ${String(vars.id)}` }),
      },
    ],
  );

  // ---- prompts
  server.registerPrompt('test_simple_prompt', { description: 'A simple prompt without arguments' }, () => [
    { role: 'user', content: text('This is a simple prompt for testing.') },
  ]);
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'A prompt with required arguments',
      arguments: [
        {
          name: 'arg1',
          description: 'First test argument',
          required: true,
          complete: (v) => ['paris', 'park', 'party'].filter((x) => x.startsWith(v)),
        },
        { name: 'arg2', description: 'Second test argument', required: true },
      ],
    },
    (args) => [{ role: 'user', content: text(`Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'`) }],
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      description: 'A prompt with an embedded resource',
      arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
    },
    (args) => [
      {
        role: 'user',
        content: {
          type: 'resource',
          resource: { uri: args.resourceUri!, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
        },
      },
      { role: 'user', content: text('Please process the embedded resource above.') },
    ],
  );
  server.registerPrompt('test_prompt_with_image', { description: 'A prompt with an image' }, () => [
    { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
    { role: 'user', content: text('Please analyze the image above.') },
  ]);
  server.registerPrompt(
    'test_input_required_result_prompt',
    { description: 'Asks for context before building the prompt' },
    async (_a, ctx) => {
      const r = await ctx.elicit(
        {
          message: 'What context should the prompt use?',
          requestedSchema: { type: 'object', properties: { context: { type: 'string' } }, required: ['context'] },
        },
        { key: 'user_context' },
      );
      return {
        description: 'Prompt built from your context',
        messages: [{ role: 'user', content: text(`Context: ${String(r.content?.context ?? '')}`) }],
      };
    },
  );
  return server;
}
