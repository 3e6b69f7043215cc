// Chat playground: one conversation, streamed replies with stop, token counts and time to first token.
import { call, getJson } from './api.js';
import { events } from './sse.js';
import { $, el, say, formatNumber } from './dom.js';

let conversation = [];
let running = null;

export function start(models) {
  const select = $('chat-model');
  select.replaceChildren(...models.map(m => el('option', { value: m.id }, m.id)));
  select.addEventListener('change', loadAdapters);
  $('chat-form').addEventListener('submit', event => { event.preventDefault(); send(); });
  $('chat-stop').addEventListener('click', () => running?.abort());
  $('chat-clear').addEventListener('click', () => {
    conversation = [];
    $('transcript').replaceChildren();
    say('chat-status', 'Conversation cleared.');
  });
  // Ctrl+Enter in the message box sends, as chat pages do.
  $('chat-message').addEventListener('keydown', event => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); $('chat-form').requestSubmit(); }
  });
}

/** Adapters come and go in their own section, so the list is fetched again whenever the playground is shown. */
export function shown() { loadAdapters(); }

/** The base model's ready adapters, offered as base:adapter. */
async function loadAdapters() {
  const base = $('chat-model').value;
  const select = $('chat-adapter');
  const chosen = select.value;
  try {
    const adapters = (await getJson('/v1/adapters')).data.filter(a => a.base_model === base && a.status === 'ready');
    select.replaceChildren(el('option', { value: '' }, 'None (base model)'),
      ...adapters.map(a => el('option', { value: a.name, selected: a.name === chosen }, a.name)));
  } catch (error) {
    say('chat-status', `Adapters could not be listed: ${error.message}`, true);
  }
}

function number(id) {
  const value = $(id).value;
  return value === '' ? undefined : Number(value);
}

async function send() {
  const text = $('chat-message').value.trim();
  if (!text || running) return;
  const adapter = $('chat-adapter').value;
  const model = adapter ? `${$('chat-model').value}:${adapter}` : $('chat-model').value;
  const system = $('chat-system').value.trim();
  conversation.push({ role: 'user', content: text });
  const request = {
    model,
    messages: system ? [{ role: 'system', content: system }, ...conversation] : conversation,
    temperature: number('chat-temperature'),
    top_p: number('chat-top-p'),
    max_tokens: number('chat-max-tokens'),
    stream: true,
    stream_options: { include_usage: true },
  };
  if ($('chat-json').checked) request.response_format = { type: 'json_object' };

  $('transcript').append(el('li', { class: 'turn user' }, el('span', { class: 'role' }, 'You'), el('p', {}, text)));
  // aria-busy holds the live transcript's announcement until the reply is whole, rather than token by token.
  const reply = el('p', { class: 'reply', 'aria-busy': 'true' });
  $('transcript').append(el('li', { class: 'turn assistant' }, el('span', { class: 'role' }, model), reply));
  $('chat-message').value = '';
  for (const id of ['stat-prompt', 'stat-completion', 'stat-ttft', 'stat-total']) $(id).textContent = '–';
  running = new AbortController();
  $('chat-send').disabled = true;
  $('chat-stop').disabled = false;
  say('chat-status', 'Generating…');

  const started = performance.now();
  let chunks = 0;
  let outcome = 'done';
  try {
    const response = await call('/v1/chat/completions', { method: 'POST', json: request, signal: running.signal });
    for await (const event of events(response)) {
      if (event.error) throw new Error(event.error.message);
      const delta = event.choices?.[0]?.delta?.content;
      if (delta) {
        if (chunks === 0) $('stat-ttft').textContent = `${Math.round(performance.now() - started)} ms`;
        chunks++;
        reply.textContent += delta;
        $('stat-completion').textContent = formatNumber(chunks);
      }
      const finish = event.choices?.[0]?.finish_reason;
      if (finish) outcome = finish;
      if (event.usage) {
        $('stat-prompt').textContent = formatNumber(event.usage.prompt_tokens);
        $('stat-completion').textContent = formatNumber(event.usage.completion_tokens);
      }
    }
    say('chat-status', `Finished (${outcome}).`);
  } catch (error) {
    if (error.name === 'AbortError') say('chat-status', 'Stopped.');
    else say('chat-status', `Error: ${error.message}`, true);
  } finally {
    $('stat-total').textContent = `${Math.round(performance.now() - started)} ms`;
    reply.removeAttribute('aria-busy');
    // A reply that never started leaves no turn behind, so the next send does not repeat a failed message.
    if (reply.textContent) conversation.push({ role: 'assistant', content: reply.textContent });
    else conversation.pop();
    running = null;
    $('chat-send').disabled = false;
    $('chat-stop').disabled = true;
  }
}
