// The upload page: files go to /files/tus through tus-js-client, which remembers each upload's URL
// in localStorage under the file's fingerprint, so choosing the same file again after a reload, a
// closed tab or a lost network asks the server for its offset (HEAD) and sends only the rest.
import {api, bytes, duration, fromTemplate, startSession} from './session.js';

/** Bytes per PATCH: ?chunkSize=<bytes> in the page's address, else 64 MiB. */
const CHUNK_SIZE = (() => {
  const asked = Number(new URLSearchParams(location.search).get('chunkSize'));
  return Number.isSafeInteger(asked) && asked > 0 ? asked : 64 * 1024 * 1024;
})();
/**
 * Files up to this size (and one chunk) travel in the POST that creates their upload (tus
 * creation-with-upload): one request and one transaction instead of two and three. A larger file
 * is created first, so that its URL is stored before any of its bytes leave; a POST broken on the
 * way loses its URL, which costs a small file no more than sending it again.
 */
const IN_THE_POST = Math.min(CHUNK_SIZE, 1024 * 1024);
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];
/** Speed is measured over this much of the recent past. */
const SPEED_WINDOW_MS = 5000;

const groupSelect = document.getElementById('group');
const fileInput = document.getElementById('files');
const drop = document.getElementById('drop');
const list = document.getElementById('list');
let current = null;   // {token, claims}

const refuse = startSession(async (token, claims) => {
  current = {token, claims};
  const groups = Array.isArray(claims.groups) ? claims.groups : [];
  groupSelect.replaceChildren(...groups.map(g => new Option(g, g)));
  const remembered = sessionStorage.getItem('uploads.group');
  if (groups.includes(remembered)) {
    groupSelect.value = remembered;
  }
  showError(groups.length ? '' : 'This token names no group, so it cannot upload.');
  await showUnfinished();
});

groupSelect.addEventListener('change', () => sessionStorage.setItem('uploads.group', groupSelect.value));
fileInput.addEventListener('change', () => {
  addFiles(fileInput.files);
  fileInput.value = '';   // choosing the same file again must fire 'change' again
});
drop.addEventListener('dragover', event => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', event => {
  event.preventDefault();
  drop.classList.remove('over');
  addFiles(event.dataTransfer.files);
});

function showError(message) {
  const p = document.getElementById('upload-error');
  p.textContent = message;
  p.hidden = !message;
}

async function showUnfinished() {
  try {
    const answer = await api('/files/resumables');
    // only tus uploads can be continued here; the others belong to the clients that began them
    const items = (answer.resumables || []).filter(r => r.protocol === 'tus');
    document.getElementById('unfinished-list').replaceChildren(...items.map(r => {
      const li = document.createElement('li');
      li.textContent = r.filename + ' \u2014 ' + bytes(r.next_offset) + ' received, into ' + r.group
          + ' (' + r.protocol + '), last activity ' + new Date(r.updated_at).toLocaleString();
      return li;
    }));
    document.getElementById('unfinished').hidden = items.length === 0;
  } catch (e) {
    if (e.status === 401) {
      refuse('The service refused this token (unknown, revoked or expired).');
    } else if (e.status === 403) {
      showError('This token may not upload files.');
    }
  }
}

function addFiles(files) {
  if (!current || !groupSelect.value) {
    return;
  }
  for (const file of files) {
    new FileUpload(file, groupSelect.value, current).begin();
  }
}

/** One file: its tus upload and its row on the page. */
class FileUpload {
  constructor(file, group, {token, claims}) {
    this.file = file;
    this.row = fromTemplate('file-row');
    this.row.querySelector('.name').textContent = file.name;
    this.row.querySelector('.size').textContent = bytes(file.size);
    this.row.querySelector('.group').textContent = '\u2192 ' + group;
    this.progressBar = this.row.querySelector('progress');
    this.pauseButton = this.row.querySelector('.pause');
    this.pauseButton.addEventListener('click', () => this.togglePause());
    this.samples = [];
    this.running = false;
    list.prepend(this.row);
    this.upload = new tus.Upload(file, {
      endpoint: new URL('/files/tus', location.href).href,
      chunkSize: CHUNK_SIZE,
      uploadDataDuringCreation: file.size <= IN_THE_POST,
      retryDelays: RETRY_DELAYS,
      headers: {Authorization: 'Bearer ' + token},
      metadata: {filename: file.name, group},
      // whose, where to and which file: the key of the upload URL kept in localStorage
      fingerprint: f => Promise.resolve(
          ['upload-page', claims.sub, group, f.name, f.type, f.size, f.lastModified].join('/')),
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => this.progress(sent, total),
      onSuccess: () => this.finished(),
      onError: error => this.failed(error),
    });
  }

  async begin() {
    this.state('Starting');
    try {
      const previous = await this.upload.findPreviousUploads();
      if (previous.length) {
        previous.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime));   // newest first
        this.upload.resumeFromPreviousUpload(previous[0]);
        this.state('Continuing an earlier upload');
      }
    } catch (e) {
      // no stored uploads to look at (storage disabled): start afresh
    }
    this.start();
  }

  start() {
    this.running = true;
    this.samples = [];
    this.pauseButton.textContent = 'Pause';
    this.pauseButton.disabled = false;
    this.row.classList.remove('failed', 'paused');
    this.upload.start();
  }

  togglePause() {
    if (this.running) {
      this.running = false;
      this.upload.abort();
      this.pauseButton.textContent = 'Resume';
      this.row.classList.add('paused');
      this.state('Paused');
      this.text('.speed', '');
      this.text('.eta', '');
    } else {
      this.state('Resuming');
      this.start();
    }
  }

  progress(sent, total) {
    if (!this.running) {
      return;
    }
    const now = performance.now();
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0][0] > SPEED_WINDOW_MS) {
      this.samples.shift();
    }
    this.progressBar.max = total || 1;
    this.progressBar.value = sent;
    this.state('Uploading');
    this.text('.percent', total ? Math.floor(sent * 100 / total) + '\u00a0%' : '');
    const [t0, b0] = this.samples[0];
    const seconds = (now - t0) / 1000;
    if (seconds >= 0.5 && sent > b0) {
      const speed = (sent - b0) / seconds;
      this.text('.speed', bytes(Math.round(speed)) + '/s');
      this.text('.eta', duration((total - sent) / speed) + ' left');
    }
  }

  async finished() {
    this.running = false;
    this.progressBar.max = 1;
    this.progressBar.value = 1;
    this.pauseButton.hidden = true;
    this.text('.percent', '100\u00a0%');
    this.text('.speed', '');
    this.text('.eta', '');
    this.state('Checking');
    const id = this.upload.url.split('/').pop();
    try {
      const info = await api('/files/resumables/' + encodeURIComponent(this.file.name) + '?id='
          + encodeURIComponent(id));
      this.text('.path', info.path);
      this.text('.sha256', info.sha256);
      this.row.querySelector('.result').hidden = false;
      this.row.classList.add('done');
      this.state('Done');
    } catch (e) {
      this.state('Uploaded, but its details could not be read: ' + e.message);
    }
    showUnfinished();
  }

  failed(error) {
    this.running = false;
    this.text('.speed', '');
    this.text('.eta', '');
    if (!navigator.onLine) {
      // tus-js-client does not retry while offline: go on by ourselves once the network is back
      this.state('Waiting for the network');
      this.pauseButton.textContent = 'Resume';
      window.addEventListener('online', () => {
        if (!this.running) {
          this.start();
        }
      }, {once: true});
      return;
    }
    const response = error.originalResponse;
    const status = response ? response.getStatus() : 0;
    let message = error.message;
    if (response) {
      try {
        message = JSON.parse(response.getBody()).message || message;
      } catch (e) {
        // not our JSON: keep tus-js-client's own words
      }
    }
    if (status === 401) {
      message = 'the service refused the token (unknown, revoked or expired)';
    }
    this.row.classList.add('failed');
    this.state('Stopped: ' + message);
    this.pauseButton.textContent = 'Try again';
  }

  state(text) {
    this.text('.state', text);
  }

  text(selector, value) {
    this.row.querySelector(selector).textContent = value;
  }
}
