// Entry point: sign-in with an API key, then the four sections behind tabs.
import { session, getJson } from './api.js';
import { $ } from './dom.js';
import * as playground from './playground.js';
import * as usage from './usage.js';
import * as batch from './batch.js';
import * as adapters from './adapters.js';

const sections = { playground, usage, batch, adapters };

/** Checks the key against /v1/models, so a wrong key shows the API's own error at once. */
async function signIn(key) {
  const models = await getJson('/v1/models', { key });
  session.key = key;
  $('sign-in').hidden = true;
  $('signed-in').hidden = false;
  $('sign-in-error').textContent = '';
  $('console').hidden = false;
  for (const section of Object.values(sections)) section.start(models.data);
  show('playground');
}

function signOut() {
  session.key = null;
  location.reload();
}

function show(name) {
  for (const button of document.querySelectorAll('.tabs button')) {
    const selected = button.dataset.tab === name;
    if (selected) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
    $(button.dataset.tab).hidden = !selected;
  }
  sections[name].shown?.();
}

$('sign-in').addEventListener('submit', async event => {
  event.preventDefault();
  const key = $('api-key').value.trim();
  try {
    await signIn(key);
    $('api-key').value = '';
  } catch (error) {
    $('sign-in-error').textContent = `Sign-in failed: ${error.message}`;
    $('api-key').focus();
  }
});
$('sign-out').addEventListener('click', signOut);
for (const button of document.querySelectorAll('.tabs button')) button.addEventListener('click', () => show(button.dataset.tab));

if (session.key) {
  signIn(session.key).catch(error => {
    session.key = null;
    $('sign-in-error').textContent = `Sign-in failed: ${error.message}`;
  });
}
