// The token and its claims, the sign-in form, JSON requests and number formats shared by both
// pages. The token lives in this tab's sessionStorage only and travels in the Authorization
// header, never in a URL: a link's #token=... fragment is taken from the address bar at once.

const KEY = 'uploads.token';

export function token() {
  return sessionStorage.getItem(KEY);
}

/**
 * The claims of a JWT as the server issued it, or null when the text is not one. Read only to show
 * the name and choose among the groups; the server checks the signature of every request.
 */
export function claims(jwt) {
  const parts = (jwt || '').split('.');
  if (parts.length !== 3) {
    return null;
  }
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const text = atob(b64 + '='.repeat((4 - b64.length % 4) % 4));
    const decoded = JSON.parse(new TextDecoder().decode(Uint8Array.from(text, ch => ch.charCodeAt(0))));
    return decoded && typeof decoded === 'object' && typeof decoded.sub === 'string' ? decoded : null;
  } catch (e) {
    return null;
  }
}

/** Moves a token given as #token=... into sessionStorage and out of the address bar and history. */
function takeTokenFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const given = fragment.get('token');
  if (given === null) {
    return;
  }
  sessionStorage.setItem(KEY, given.trim());
  fragment.delete('token');
  const rest = fragment.toString();
  history.replaceState(history.state, '', location.pathname + location.search + (rest ? '#' + rest : ''));
}

/**
 * Wires the sign-in form (#sign-in, #sign-in-form, #token, #sign-in-error) and the signed-in line
 * (#who, #who-name, #sign-out), then calls onSignedIn(token, claims) whenever a token is there.
 * Returns refuse(message): the server refused the token, so sign out and say why.
 */
export function startSession(onSignedIn) {
  const signInSection = document.getElementById('sign-in');
  const form = document.getElementById('sign-in-form');
  const input = document.getElementById('token');
  const error = document.getElementById('sign-in-error');
  const who = document.getElementById('who');

  function show(message) {
    const jwt = token();
    const c = claims(jwt);
    let problem = message;
    if (jwt && !c) {
      problem = 'That is not a token of this service: it should be three parts separated by dots.';
    } else if (c && typeof c.exp === 'number' && c.exp * 1000 < Date.now()) {
      problem = 'That token expired on ' + new Date(c.exp * 1000).toLocaleString() + '.';
    }
    if (!c || problem) {
      sessionStorage.removeItem(KEY);
      document.body.classList.remove('signed-in');
      signInSection.hidden = false;
      who.hidden = true;
      error.textContent = problem || '';
      error.hidden = !problem;
      input.focus();
      return;
    }
    error.hidden = true;
    signInSection.hidden = true;
    who.hidden = false;
    document.getElementById('who-name').textContent = c.sub;
    document.body.classList.add('signed-in');
    onSignedIn(jwt, c);
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    sessionStorage.setItem(KEY, input.value.trim());
    input.value = '';
    show();
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    // a fresh page: nothing of the signed-in view stays on screen
    location.replace(location.pathname + location.search);
  });
  window.addEventListener('hashchange', () => {
    if (new URLSearchParams(location.hash.slice(1)).has('token')) {
      location.reload();
    }
  });
  takeTokenFromFragment();
  show();
  return message => {
    sessionStorage.removeItem(KEY);
    show(message);
  };
}

/** A request to this service's JSON API with the token; rejects with an Error carrying .status. */
export async function api(path, options = {}) {
  const headers = Object.assign({Accept: 'application/json', Authorization: 'Bearer ' + token()},
      options.headers || {});
  const response = await fetch(path, Object.assign({cache: 'no-store'}, options, {headers}));
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    // an empty or non-JSON answer; the status says enough
  }
  if (!response.ok) {
    const error = new Error(body && body.message ? body.message : 'HTTP ' + response.status);
    error.status = response.status;
    throw error;
  }
  return body;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> "1.5 KiB" */
export function bytes(n) {
  if (n === null || n === undefined || !isFinite(n)) {
    return '?';
  }
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return (unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0)) + '\u00a0' + UNITS[unit];
}

/** 200 -> "3 min 20 s", 3600 -> "1 h" */
export function duration(seconds) {
  if (!isFinite(seconds) || seconds < 0) {
    return '?';
  }
  const s = Math.round(seconds);
  const two = (big, bigUnit, small, smallUnit) =>
    big + '\u00a0' + bigUnit + (small ? ' ' + small + '\u00a0' + smallUnit : '');
  if (s < 60) {
    return s + '\u00a0s';
  }
  if (s < 3600) {
    return two(Math.floor(s / 60), 'min', s % 60, 's');
  }
  if (s < 86400) {
    return two(Math.floor(s / 3600), 'h', Math.floor(s % 3600 / 60), 'min');
  }
  return two(Math.floor(s / 86400), 'd', Math.floor(s % 86400 / 3600), 'h');
}

/** A new element from a <template> of the page. */
export function fromTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}
