// Sends an import to the server (client/src/displacement, issue 17): a dedicated worker (import-worker.ts) reads the
// file, writes the body around it and POSTs it with XMLHttpRequest (fetch tells nothing of an upload's progress),
// so the page's thread never holds the file; the page hears of the bytes sent, then waits while the server reads.
import type { ImportRequest } from './import-model.js';
import type { ImportJob, ImportNews } from './import-worker.js';

/** What a request reports while it runs. */
export interface ImportProgress {
  /** The file is being read and the body written (before any byte is sent). */
  reading(): void;
  /** Bytes of the body sent so far, of `total`. */
  upload(loaded: number, total: number): void;
  /** The whole body is sent: the server is reading it. */
  uploaded(): void;
}

/** The server's answer: its status and its JSON body (null when it sent none or not JSON). */
export interface ImportReply {
  status: number;
  body: unknown;
}

/** The path of the import (POST), for a check (dry run) and for the import alike. */
export const IMPORT_PATH = '/api/displacement/import';

/**
 * POSTs the import of `file` with `request`'s fields (and the boundary file's text), reporting its progress;
 * resolves with the status and body of any answer; rejects with `network` or `file` when no answer came, or
 * `aborted` when `signal` stopped it (the worker is ended, and the request with it).
 */
export function postImport(request: ImportRequest, file: Blob, boundaries: string | null, progress: ImportProgress, signal?: AbortSignal): Promise<ImportReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./import-worker.ts', import.meta.url), { type: 'module' });
    const end = () => worker.terminate();
    worker.onmessage = (e: MessageEvent<ImportNews>) => {
      const news = e.data;
      switch (news.kind) {
        case 'reading':
          return progress.reading();
        case 'upload':
          return progress.upload(news.loaded, news.total);
        case 'uploaded':
          return progress.uploaded();
        case 'answer':
          end();
          return resolve({ status: news.status, body: news.body });
        case 'failed':
          end();
          return reject(new Error(news.reason));
      }
    };
    worker.onerror = () => {
      end();
      reject(new Error('network'));
    };
    signal?.addEventListener(
      'abort',
      () => {
        end();
        reject(new Error('aborted'));
      },
      { once: true },
    );
    worker.postMessage({ path: IMPORT_PATH, request, file, boundaries } satisfies ImportJob);
  });
}
