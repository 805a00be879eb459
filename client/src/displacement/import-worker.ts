// The import's sender, a dedicated worker (client/src/displacement, issue 17): reads the chosen file with
// File.text(), writes the request body around it and POSTs it, reporting the bytes sent and the answer. On the
// page's own thread a file of 10 MB cost seconds of frozen page (measured in Chromium: turning the text into a
// JSON string 0.2 s, a body string of 12 MB handed to XMLHttpRequest.send 1 s, a Blob of it 0.5 s); here it costs
// the page nothing. Nothing of the file is parsed: the server parses.
import { requestParts, type ImportRequest } from './import-model.js';

/** What the page asks: the request's small fields, the file, and the boundary file's text (checked on the page). */
export interface ImportJob {
  path: string;
  request: ImportRequest;
  file: Blob;
  boundaries: string | null;
}

/** What the worker says, in order: reading the file, bytes sent, all sent, then the answer (or no answer). */
export type ImportNews =
  | { kind: 'reading' }
  | { kind: 'upload'; loaded: number; total: number }
  | { kind: 'uploaded' }
  | { kind: 'answer'; status: number; body: unknown }
  | { kind: 'failed'; reason: 'network' | 'file' };

// A dedicated worker's scope, as far as this file uses it (the client's types are the page's, DOM).
const scope = self as unknown as { onmessage: ((e: MessageEvent<ImportJob>) => void) | null; postMessage(news: ImportNews): void };

scope.onmessage = async (e) => {
  const { path, request, file, boundaries } = e.data;
  scope.postMessage({ kind: 'reading' });
  let body: Blob;
  try {
    body = new Blob(requestParts(request, await file.text(), boundaries), { type: 'application/json' });
  } catch {
    scope.postMessage({ kind: 'failed', reason: 'file' });
    return;
  }
  const xhr = new XMLHttpRequest();
  xhr.open('POST', path);
  xhr.setRequestHeader('accept', 'application/json');
  // The page's session cookie signs it in, as every /api call of the page (same origin).
  xhr.withCredentials = true;
  // Listeners on `upload` must be in place before send(), or the browser sends no progress events.
  xhr.upload.onprogress = (p) => scope.postMessage({ kind: 'upload', loaded: p.loaded, total: p.lengthComputable ? p.total : body.size });
  xhr.upload.onload = () => scope.postMessage({ kind: 'uploaded' });
  xhr.onload = () => {
    let parsed: unknown = null;
    try {
      parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
    } catch {
      parsed = null;
    }
    scope.postMessage({ kind: 'answer', status: xhr.status, body: parsed });
  };
  xhr.onerror = () => scope.postMessage({ kind: 'failed', reason: 'network' });
  scope.postMessage({ kind: 'upload', loaded: 0, total: body.size });
  xhr.send(body);
};
