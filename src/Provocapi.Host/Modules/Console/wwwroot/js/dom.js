// Building elements without innerHTML, so API text never becomes markup.

/** el('td', {class: 'x'}, 'text', child) */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.filter(c => c !== null && c !== undefined));
  return node;
}

export const $ = id => document.getElementById(id);

/** Shows a message in a status line; errors are marked for styling and announced by the live region. */
export function say(id, message, isError = false) {
  const node = $(id);
  node.textContent = message;
  node.classList.toggle('error', isError);
}

export const formatNumber = value => new Intl.NumberFormat('en-US').format(value);

export function formatBytes(bytes) {
  if (bytes == null) return '–';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
  return `${bytes.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export const formatTime = unixSeconds => new Date(unixSeconds * 1000).toLocaleString();
