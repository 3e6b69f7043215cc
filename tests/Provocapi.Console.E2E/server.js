// The real provocapi server for the tests: a fresh data folder, a key made by `provocapi keys create`, a free port.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
export const dll = process.env.PROVOCAPI_DLL ?? join(root, 'src/Provocapi.Host/bin/Release/net10.0/provocapi.dll');

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

export async function startServer() {
  if (!existsSync(dll)) throw new Error(`${dll} is missing: build first (dotnet build src/Provocapi.Host -c Release)`);
  const data = mkdtempSync(join(tmpdir(), 'provocapi-console-e2e-'));
  // The key is printed once, as the last line.
  const key = execFileSync('dotnet', [dll, 'keys', 'create', '--tenant', 'e2e', '--tier', 'dedicated', '--data', data], { encoding: 'utf8' })
    .trim().split('\n').at(-1);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // demo: the shipped model (fast); slow: a stories15M-shaped random model on one thread, long enough to stop mid-stream.
  const models = [
    ['demo', join(root, 'models/provocapi-demo-fortunes-f32.gguf')],
    ['slow', 'synthetic:tiny:Q8_0', join(root, 'tests/fixtures/tokenizers/ggml-vocab-llama-spm.gguf'), '1'],
  ].flatMap(([id, path, tokenizer, threads], i) => [
    `--Provocapi:Models:${i}:Id=${id}`, `--Provocapi:Models:${i}:Path=${path}`,
    ...(tokenizer ? [`--Provocapi:Models:${i}:Tokenizer=${tokenizer}`, `--Provocapi:Models:${i}:Threads=${threads}`] : []),
  ]);
  const process_ = spawn('dotnet', [dll, 'serve', '--urls', url, '--data', data, ...models], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  process_.stdout.on('data', chunk => { log += chunk; });
  process_.stderr.on('data', chunk => { log += chunk; });
  const deadline = Date.now() + 60000;
  for (;;) {
    if (process_.exitCode !== null) throw new Error(`the server exited with ${process_.exitCode}:\n${log}`);
    try {
      if ((await fetch(`${url}/ready`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the server was not ready within 60 s:\n${log}`);
    await new Promise(r => setTimeout(r, 200));
  }
  return {
    url,
    key,
    log: () => log,
    async stop() {
      process_.kill('SIGTERM');
      await new Promise(r => process_.exitCode !== null ? r() : process_.once('exit', r));
      rmSync(data, { recursive: true, force: true });
    },
  };
}
