// The console's event-stream reader (wwwroot/js/sse.js) in Node, which has the same Response and stream classes as
// the browser: events cut at any byte, a multi-byte character split across reads, and [DONE] ending the stream.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { events } from '../../src/Provocapi.Host/Modules/Console/wwwroot/js/sse.js';

const payloads = [{ choices: [{ delta: { role: 'assistant' } }] }, { choices: [{ delta: { content: 'Grüße, 世界 🎉' } }] },
  { choices: [{ delta: {}, finish_reason: 'stop' }] }, { usage: { prompt_tokens: 5, completion_tokens: 3 } }];
const wire = Buffer.from(payloads.map(p => `data: ${JSON.stringify(p)}\n\n`).join('') + 'data: [DONE]\n\ndata: {"after": "done"}\n\n');

function response(chunks) {
  return new Response(new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  }));
}

async function read(chunks) {
  const seen = [];
  for await (const event of events(response(chunks))) seen.push(event);
  return seen;
}

it('reads the events whole, in order, up to [DONE]', async () => {
  assert.deepEqual(await read([wire]), payloads);
});

it('reads the same events whatever the reads cut, inside characters too', async () => {
  for (let size = 1; size <= 17; size++) {
    const chunks = [];
    for (let at = 0; at < wire.length; at += size) chunks.push(wire.subarray(at, at + size));
    assert.deepEqual(await read(chunks), payloads, `reads of ${size} bytes`);
  }
});

it('ends at the end of the body when [DONE] never comes', async () => {
  assert.deepEqual(await read([Buffer.from('data: {"a": 1}\n\ndata: {"b": 2}\n\n')]), [{ a: 1 }, { b: 2 }]);
});
