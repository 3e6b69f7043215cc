// LoRA adapters: list with status, upload a PEFT pair or a GGUF file, delete.
import { call, getJson } from './api.js';
import { $, el, say, formatBytes } from './dom.js';

let timer = null;

export function start(models) {
  $('adapter-base').replaceChildren(...models.map(m => el('option', { value: m.id }, m.id)));
  $('adapter-form').addEventListener('submit', event => { event.preventDefault(); upload(); });
  $('adapter-refresh').addEventListener('click', refresh);
}

export function shown() { refresh(); }

async function upload() {
  const form = new FormData();
  form.append('name', $('adapter-name').value.trim());
  form.append('base_model', $('adapter-base').value);
  for (const file of $('adapter-files').files) form.append('file', file, file.name);
  say('adapter-status', 'Uploading…');
  try {
    const adapter = await (await call('/v1/adapters/upload', { method: 'POST', body: form })).json();
    say('adapter-status', `Uploaded ${adapter.name}: use it as ${adapter.model}.`);
    $('adapter-form').reset();
  } catch (error) {
    say('adapter-status', `Upload failed: ${error.message}`, true);
  }
  refresh();
}

/** Redraws the list; while a hub download is under way, again every 2 s. */
async function refresh() {
  clearTimeout(timer);
  let adapters;
  try {
    adapters = (await getJson('/v1/adapters')).data;
  } catch (error) {
    say('adapter-status', `Error: ${error.message}`, true);
    return;
  }
  $('adapter-table').tBodies[0].replaceChildren(...adapters.map(a => el('tr', { 'data-name': a.name, 'data-status': a.status },
    el('td', {}, a.name),
    el('td', {}, el('code', {}, a.model)),
    el('td', {}, el('span', { class: `badge ${a.status}` }, a.status), a.failure_reason ? el('small', {}, ` ${a.failure_reason}`) : null),
    el('td', {}, a.rank == null ? '–' : String(a.rank)),
    el('td', {}, formatBytes(a.size_bytes)),
    el('td', { class: 'actions' }, el('button', { type: 'button', 'aria-label': `Delete ${a.name}`, onclick: () => remove(a) }, 'Delete')))));
  if (adapters.some(a => a.status === 'pending' || a.status === 'downloading') && !$('adapters').hidden) timer = setTimeout(refresh, 2000);
}

async function remove(adapter) {
  if (!confirm(`Delete the adapter ${adapter.name}? Requests naming it will get 404.`)) return;
  try {
    await call(`/v1/adapters/${encodeURIComponent(adapter.id)}`, { method: 'DELETE' });
    say('adapter-status', `Deleted ${adapter.name}.`);
  } catch (error) {
    say('adapter-status', `Delete failed: ${error.message}`, true);
  }
  refresh();
}
