// The web console in headless Chromium against the real server: sign-in, streaming with stop, JSON mode, the usage
// charts, a batch job to completion, adapters, and accessibility checks. Screenshots go to artifacts/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './server.js';
import { peftAdapter } from './peft.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = process.env.E2E_ARTIFACTS ?? join(import.meta.dirname, 'artifacts');
mkdirSync(artifacts, { recursive: true });

let server, browser, context, page;
const problems = [];

const shot = name => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const text = id => page.locator(`#${id}`).textContent();

async function tab(name) {
  await page.getByRole('button', { name, exact: true }).click();
}

/** A section of the page by its id, so labels that repeat across sections (Model) are found in the right one. */
const section = id => page.locator(`#${id}`);

async function send(message, { model = 'demo', maxTokens = 16, json = false } = {}) {
  await tab('Playground');
  const playground = section('playground');
  await playground.getByLabel('Model', { exact: true }).selectOption(model);
  await playground.getByLabel('Max tokens').fill(String(maxTokens));
  await playground.getByLabel('JSON mode').setChecked(json);
  await playground.getByLabel('Message').fill(message);
  await playground.getByRole('button', { name: 'Send' }).click();
}

async function finished() {
  await page.waitForFunction(() => document.getElementById('chat-status').textContent.startsWith('Finished'), null, { timeout: 30000 });
}

describe('web console', () => {
  before(async () => {
    server = await startServer();
    // Chromium's background services would try hosts this offline machine cannot reach; they are off.
    browser = await chromium.launch({ executablePath, headless: true, args: ['--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    context = await browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', error => problems.push(`page error: ${error.message}`));
    page.on('console', message => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the page under a strict Content-Security-Policy, and a wrong key shows the API error', async () => {
    const response = await page.goto(server.url);
    assert.equal(response.status(), 200);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    await page.getByLabel('API key').fill('pk-prov-wrongwrongwrongwrongwrongwrongwrongwrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(() => document.getElementById('sign-in-error').textContent.length > 0);
    const shown = await text('sign-in-error');
    const api = await (await fetch(`${server.url}/v1/models`, { headers: { Authorization: 'Bearer pk-prov-wrongwrongwrongwrongwrongwrongwrongwrong' } })).json();
    assert.equal(shown, `Sign-in failed: ${api.error.message}`);
    assert.equal(await page.locator('#console').isHidden(), true);
  });

  it('signs in with the key kept in session storage only', async () => {
    await page.getByLabel('API key').fill(server.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#console').waitFor({ state: 'visible' });
    const storage = await page.evaluate(() => ({ session: sessionStorage.getItem('provocapi.key'), local: localStorage.length, cookie: document.cookie }));
    assert.deepEqual(storage, { session: server.key, local: 0, cookie: '' });
    const models = await page.locator('#chat-model option').allTextContents();
    assert.deepEqual(models.sort(), ['demo', 'slow']);
    // A reload keeps the session (same tab), without typing the key again.
    await page.reload();
    await page.locator('#console').waitFor({ state: 'visible' });
    await shot('signed-in');
  });

  it('streams a reply with token counts and time to first token', async () => {
    await send('Hello there', { maxTokens: 24 });
    await finished();
    const reply = await page.locator('#transcript .turn.assistant .reply').last().textContent();
    assert.ok(reply.length > 0, 'the reply has text');
    const prompt = Number(await text('stat-prompt'));
    const completion = Number(await text('stat-completion'));
    assert.ok(prompt > 3, `prompt tokens ${prompt}`);
    assert.ok(completion >= 1 && completion <= 24, `completion tokens ${completion}`);
    assert.match(await text('stat-ttft'), /^\d+ ms$/);
    assert.match(await text('stat-total'), /^\d+ ms$/);
    await shot('playground-streamed');
  });

  it('shows text as it arrives and stops a long stream', async () => {
    await page.getByRole('button', { name: 'Clear conversation' }).click();
    await send('Tell me a long story', { model: 'slow', maxTokens: 1800 });
    const reply = page.locator('#transcript .turn.assistant .reply').last();
    await page.waitForFunction(() => document.querySelector('#transcript .turn.assistant:last-child .reply')?.textContent.length > 20, null, { timeout: 30000 });
    assert.equal(await page.locator('#chat-status').textContent(), 'Generating…', 'text arrives while the reply is still running');
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.waitForFunction(() => document.getElementById('chat-status').textContent === 'Stopped.');
    const stopped = await reply.textContent();
    await page.waitForTimeout(500);
    assert.equal(await reply.textContent(), stopped, 'nothing arrives after stop');
    assert.ok(Number((await text('stat-completion')).replace(/,/g, '')) < 1800);
    assert.equal(await page.getByRole('button', { name: 'Send' }).isEnabled(), true);
    await shot('playground-stopped');
  });

  it('JSON mode replies with a JSON object', async () => {
    await page.getByRole('button', { name: 'Clear conversation' }).click();
    await send('Give me JSON', { maxTokens: 48, json: true });
    await finished();
    const reply = await page.locator('#transcript .turn.assistant .reply').last().textContent();
    const value = JSON.parse(reply);
    assert.equal(typeof value, 'object');
    assert.ok(value !== null && !Array.isArray(value));
  });

  it('draws the usage charts from /v1/usage after requests', async () => {
    await tab('Usage');
    // Usage is written in batches off the request path: ask again until both models' rows are there.
    const models = () => page.locator('#usage-table tbody tr td:nth-child(2)').allTextContents();
    for (let i = 0; i < 40 && (await models()).length < 2; i++) {
      await page.waitForTimeout(250);
      await page.getByRole('button', { name: 'Show usage' }).click();
      await page.waitForFunction(() => !document.getElementById('usage-status').textContent.startsWith('Loading'));
    }
    const rows = await models();
    assert.ok(rows.includes('demo') && rows.includes('slow'), `usage rows: ${rows}`);
    assert.ok(await page.locator('#chart-tokens svg rect.bar').count() >= 2, 'token bars for both models');
    assert.ok(await page.locator('#chart-cost svg').count() === 1);
    assert.equal(await page.locator('#chart-latency svg circle.dot').count() >= 4, true, 'p50 and p99 points for both models');
    assert.ok(await page.locator('#chart-latency svg path.line.dashed').count() >= 1, 'a dashed p99 line');
    await section('usage').getByLabel('Model', { exact: true }).selectOption('demo');
    await page.getByRole('button', { name: 'Show usage' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('#usage-table tbody tr td:nth-child(2)')].every(td => td.textContent === 'demo'));
    assert.equal(await page.locator('#chart-tokens svg rect.bar').count(), 1);
    await shot('usage');
  });

  it('uploads a JSONL batch, shows its progress and downloads the output', async () => {
    await tab('Batch');
    const lines = ['a', 'b', 'c'].map(id => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions',
      body: { model: 'demo', messages: [{ role: 'user', content: `Say ${id}` }], max_tokens: 4 } }));
    await page.getByLabel('JSONL file of requests').setInputFiles({ name: 'requests.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(lines.join('\n') + '\n') });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const row = page.locator('#batch-table tbody tr').first();
    await page.waitForFunction(() => document.querySelector('#batch-table tbody tr')?.dataset.status === 'completed', null, { timeout: 60000 });
    const progress = row.locator('progress');
    assert.equal(await progress.getAttribute('max'), '3');
    assert.equal(await progress.getAttribute('value'), '3');
    assert.match(await row.textContent(), /3 \/ 3/);
    await shot('batch-completed');
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download output' }).click()]);
    const output = readFileSync(await download.path(), 'utf8').trim().split('\n').map(line => JSON.parse(line));
    assert.deepEqual(output.map(o => o.custom_id), ['a', 'b', 'c']);
    assert.ok(output.every(o => o.response.status_code === 200 && o.response.body.choices.length === 1));
  });

  it('cancels a running batch', async () => {
    // More lines than run at once (16), each short, so a cancel lands mid-job and the lines in flight end soon.
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ custom_id: `s${i}`, method: 'POST', url: '/v1/chat/completions',
      body: { model: 'slow', messages: [{ role: 'user', content: 'Go on' }], max_tokens: 48 } }));
    await page.getByLabel('JSONL file of requests').setInputFiles({ name: 'slow.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(lines.join('\n')) });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('#batch-table tbody tr').length === 2);
    const row = page.locator('#batch-table tbody tr').first();
    await row.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForFunction(() => document.querySelector('#batch-table tbody tr')?.dataset.status === 'cancelled', null, { timeout: 60000 });
    assert.equal(await row.getByRole('button', { name: 'Cancel' }).count(), 0);
    assert.ok(Number(await row.locator('progress').getAttribute('value')) < 100, 'the job stopped before its last line');
  });

  it('uploads an adapter, uses it in the playground and deletes it', async () => {
    await tab('Adapters');
    const adapters = section('adapters');
    await adapters.getByLabel('Name').fill('support-bot');
    await adapters.getByLabel('Base model').selectOption('demo');
    await adapters.getByLabel(/^Files:/).setInputFiles(peftAdapter());
    await adapters.getByRole('button', { name: 'Upload adapter' }).click();
    await page.waitForFunction(() => document.querySelector('#adapter-table tr[data-name="support-bot"]')?.dataset.status === 'ready');
    const row = page.locator('#adapter-table tr[data-name="support-bot"]');
    assert.match(await row.textContent(), /demo:support-bot/);
    assert.match(await row.textContent(), /ready/);
    await shot('adapters');

    await tab('Playground');
    const playground = section('playground');
    await playground.getByRole('button', { name: 'Clear conversation' }).click();
    await playground.getByLabel('Model', { exact: true }).selectOption('demo');
    await page.waitForFunction(() => [...document.querySelectorAll('#chat-adapter option')].some(o => o.value === 'support-bot'));
    await playground.getByLabel('Adapter').selectOption('support-bot');
    await playground.getByLabel('Message').fill('Hello adapter');
    await playground.getByRole('button', { name: 'Send' }).click();
    await finished();
    assert.equal(await page.locator('#transcript .turn.assistant .role').last().textContent(), 'demo:support-bot');

    await tab('Adapters');
    page.once('dialog', dialog => dialog.accept());
    await row.getByRole('button', { name: 'Delete support-bot' }).click();
    await row.waitFor({ state: 'detached' });
    assert.match(await text('adapter-status'), /Deleted support-bot/);
    const list = await (await fetch(`${server.url}/v1/adapters`, { headers: { Authorization: `Bearer ${server.key}` } })).json();
    assert.equal(list.data.length, 0);
  });

  it('labels every control, reaches Send by keyboard and fits a 375 px screen', async () => {
    await tab('Playground');
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter(c => c.labels.length === 0 && !c.getAttribute('aria-label')).map(c => c.id || c.outerHTML));
    assert.deepEqual(unlabelled, []);
    const nameless = await page.evaluate(() => [...document.querySelectorAll('button')].filter(b => !b.textContent.trim() && !b.getAttribute('aria-label')).length);
    assert.equal(nameless, 0);
    assert.equal(await page.locator('div[onclick], span[onclick]').count(), 0);

    await page.evaluate(() => document.activeElement?.blur());
    await page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'chat-send');
    }
    assert.ok(reached, 'Tab reaches the Send button');
    await section('playground').getByLabel('Message').fill('Sent from the keyboard');
    await page.locator('#chat-send').focus();
    await page.keyboard.press('Enter');
    await finished();

    await page.setViewportSize({ width: 375, height: 800 });
    for (const name of ['Playground', 'Usage', 'Batch', 'Adapters']) {
      await tab(name);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow} px at 375 px`);
      await shot(`phone-${name.toLowerCase()}`);
    }
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    assert.deepEqual(problems, []);
  });
});
