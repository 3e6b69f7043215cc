// Batch jobs: upload a JSONL file, watch status and progress, download the output, cancel.
import { call, getJson } from './api.js';
import { $, el, say, formatTime } from './dom.js';

const open = new Set(['validating', 'in_progress', 'cancelling']);
let timer = null;

export function start() {
  $('batch-form').addEventListener('submit', event => { event.preventDefault(); upload(); });
  $('batch-refresh').addEventListener('click', refresh);
}

export function shown() { refresh(); }

async function upload() {
  const file = $('batch-file').files[0];
  if (!file) return;
  const form = new FormData();
  form.append('file', file, file.name);
  say('batch-status', `Uploading ${file.name}…`);
  try {
    const job = await (await call('/v1/batch', { method: 'POST', body: form })).json();
    say('batch-status', `Created ${job.id} with ${job.total_requests} requests.`);
    $('batch-form').reset();
  } catch (error) {
    say('batch-status', `Upload failed: ${error.message}`, true);
  }
  refresh();
}

/** Redraws the table; while any job is open, again every 1.5 s (only while the section is on screen). */
async function refresh() {
  clearTimeout(timer);
  let jobs;
  try {
    jobs = (await getJson('/v1/batch?limit=100')).data;
  } catch (error) {
    say('batch-status', `Error: ${error.message}`, true);
    return;
  }
  $('batch-table').tBodies[0].replaceChildren(...jobs.map(row));
  if (jobs.some(j => open.has(j.status)) && !$('batch').hidden) timer = setTimeout(refresh, 1500);
}

function row(job) {
  const done = job.completed_count + job.failed_count;
  const progress = el('progress', { max: Math.max(job.total_requests, 1), value: done, 'aria-label': `${job.id} progress` });
  const actions = el('td', { class: 'actions' });
  if (done > 0 || job.status === 'completed')
    actions.append(el('button', { type: 'button', onclick: () => download(job) }, 'Download output'));
  if (open.has(job.status) && job.status !== 'cancelling')
    actions.append(el('button', { type: 'button', onclick: () => cancel(job) }, 'Cancel'));
  const failure = job.errors?.data?.[0];
  return el('tr', { 'data-id': job.id, 'data-status': job.status },
    el('td', {}, el('code', {}, job.id)),
    el('td', {}, el('span', { class: `badge ${job.status}` }, job.status), failure ? el('small', {}, ` line ${failure.line}: ${failure.message}`) : null),
    el('td', {}, progress, ` ${done} / ${job.total_requests}${job.failed_count ? ` (${job.failed_count} failed)` : ''}`),
    el('td', {}, formatTime(job.created_at)),
    actions);
}

/** The output needs the key header, so it is fetched and handed to the browser as a file rather than linked. */
async function download(job) {
  try {
    const blob = await (await call(`/v1/batch/${encodeURIComponent(job.id)}/output`)).blob();
    const link = el('a', { href: URL.createObjectURL(blob), download: `${job.id}_output.jsonl` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    say('batch-status', `Downloaded the output of ${job.id}.`);
  } catch (error) {
    say('batch-status', `Download failed: ${error.message}`, true);
  }
}

async function cancel(job) {
  try {
    await call(`/v1/batch/${encodeURIComponent(job.id)}/cancel`, { method: 'POST' });
    say('batch-status', `Cancelling ${job.id}.`);
  } catch (error) {
    say('batch-status', `Cancel failed: ${error.message}`, true);
  }
  refresh();
}
