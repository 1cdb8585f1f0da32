// Type-level test, checked by the build (tsconfig includes test/): each `@ts-expect-error` below sits on the
// line where the compiler must report a content block with a wrong `type`. If the error moved (e.g. to the
// handler, complaining that `structuredContent` is missing) the directive would be unused and the build fail.
// An async handler's return is reported at the function by TypeScript itself; there the message is what
// changed (it now ends at the block's `type`, since ToolReturn has one object shape, not a union of two).
import { McpServer } from '../../src/entries/server.js';

const server = new McpServer({ name: 'types', version: '1' });

server.registerTool('sync_typo', {}, () => ({
  content: [
    { type: 'text', text: 'fine' },
    // @ts-expect-error 'txt' is not a content block type: reported on this block, nowhere else
    { type: 'txt', text: 'a typo in the block type' },
  ],
}));

server.registerTool('sync_missing_field', {}, () => ({
  // @ts-expect-error an image block needs mimeType: reported on this line, nowhere else
  content: [{ type: 'image', data: 'aGk=' }],
}));

server.registerTool('structured_with_bad_block', {}, () => ({
  structuredContent: { ok: true },
  // @ts-expect-error a wrong block beside valid structuredContent is still the block's error
  content: [{ type: 'txt', text: 'x' }],
}));

// Valid shapes keep compiling: content only, structured only, both, async.
server.registerTool('ok_content', {}, async () => ({ content: [{ type: 'text', text: 'x' }] }));
server.registerTool('ok_structured', {}, async () => ({ structuredContent: { n: 1 } }));
server.registerTool('ok_both', {}, () => ({
  structuredContent: { n: 1 },
  content: [{ type: 'text', text: '{"n":1}' }],
  isError: false,
}));
