// Usage: GET /v1/usage for a date range and model, as daily token and cost bars, p50/p99 latency lines and a table.
import { getJson } from './api.js';
import { $, el, say, formatNumber } from './dom.js';
import { barChart, lineChart } from './chart.js';

const isoDay = date => date.toISOString().slice(0, 10);

export function start(models) {
  const today = new Date();
  $('usage-end').value = isoDay(today);
  $('usage-start').value = isoDay(new Date(today.getTime() - 6 * 86400000));
  $('usage-model').append(...models.map(m => el('option', { value: m.id }, m.id)));
  $('usage-form').addEventListener('submit', event => { event.preventDefault(); load(); });
}

export function shown() { load(); }

/** Every day of the range, so days without requests show as gaps rather than vanish. */
function days(start, end) {
  const list = [];
  for (let d = new Date(`${start}T00:00:00Z`); isoDay(d) <= end && list.length < 366; d = new Date(d.getTime() + 86400000)) list.push(isoDay(d));
  return list;
}

async function load() {
  const start = $('usage-start').value, end = $('usage-end').value, model = $('usage-model').value;
  const query = new URLSearchParams({ start_date: start, end_date: end });
  if (model) query.set('model', model);
  say('usage-status', 'Loading…');
  let report;
  try {
    report = await getJson(`/v1/usage?${query}`);
  } catch (error) {
    say('usage-status', `Error: ${error.message}`, true);
    return;
  }
  const labels = days(report.start_date, report.end_date);
  const models = [...new Set(report.data.map(e => e.model))];
  const entry = (m, day) => report.data.find(e => e.model === m && e.date === day);
  const perModel = pick => models.map(m => ({ name: m, values: labels.map(day => entry(m, day) ? pick(entry(m, day)) : null) }));

  barChart($('chart-tokens'), labels, perModel(e => e.total_tokens), v => formatNumber(Math.round(v)), 'Tokens per day by model');
  barChart($('chart-cost'), labels, perModel(e => e.cost), v => `$${Number(v.toPrecision(3))}`, 'Cost per day by model');
  lineChart($('chart-latency'), labels, models.flatMap(m => [
    { name: `${m} p50`, values: labels.map(day => entry(m, day)?.latency_ms.p50 ?? null) },
    { name: `${m} p99`, values: labels.map(day => entry(m, day)?.latency_ms.p99 ?? null), dashed: true },
  ]), v => `${Math.round(v)}`, 'Latency p50 and p99 per day in milliseconds');

  $('usage-table').tBodies[0].replaceChildren(...report.data.map(e => el('tr', {},
    el('td', {}, e.date), el('td', {}, e.model), el('td', {}, formatNumber(e.requests)), el('td', {}, formatNumber(e.total_tokens)),
    el('td', {}, `$${e.cost.toFixed(6)}`), el('td', {}, e.latency_ms.p50.toFixed(1)), el('td', {}, e.latency_ms.p99.toFixed(1)))));
  const requests = report.data.reduce((sum, e) => sum + e.requests, 0);
  say('usage-status', `${formatNumber(requests)} ${requests === 1 ? 'request' : 'requests'} from ${report.start_date} to ${report.end_date}.`);
}
