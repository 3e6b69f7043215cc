// The public /v1 API with the signed-in key. The key lives in sessionStorage only: gone when the tab closes.
const keyName = 'provocapi.key';

export const session = {
  get key() { return sessionStorage.getItem(keyName); },
  set key(value) {
    if (value) sessionStorage.setItem(keyName, value);
    else sessionStorage.removeItem(keyName);
  },
};

/** An error the API answered, with its OpenAI-shaped message. */
export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** fetch() to the API with the key; a non-2xx answer throws its error message. */
export async function call(path, { method = 'GET', json, body, signal, key = session.key } = {}) {
  const headers = { Authorization: `Bearer ${key}` };
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  const response = await fetch(path, { method, headers, body, signal });
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function getJson(path, options) {
  return (await call(path, options)).json();
}

async function errorOf(response) {
  let message = `${response.status} ${response.statusText}`;
  let code;
  try {
    const error = (await response.json()).error;
    if (error?.message) message = error.message;
    code = error?.code;
  } catch {
    // Not the API's envelope (a proxy's page, say): the status line says enough.
  }
  return new ApiError(response.status, message, code);
}
