// The import page, `/import` (client/src/displacement, issue 17): a CSV, HXL-tagged CSV or JSON file of displacement
// figures dropped or picked, with an optional boundary file for P-code joins; the server reads it and says how it
// read it (columns, its guess of the mapping, a preview, the rows it could not read), the user corrects the mapping
// and imports. The file is read with File.text() and sent as it is by a worker (import-request.ts): the server
// parses, and the page's thread never holds the file, so 100,000 rows do not freeze the page. Analysts and admins
// (who may post sites) import; everyone may export.
import { useEffect, useReducer, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { useWords } from '../i18n/use-words.js';
import { counted, type Words } from '../layers/words.js';
import { mayDo, useMe } from '../net/session.js';
import { useLiveConnection } from '../net/use-live-connection.js';
import { useNow, usePicture } from '../state/hooks.js';
import { DisplacementExports } from '../ui/DisplacementPanel.js';
import { TopBar } from '../ui/TopBar.js';
import {
  IMPORT_FIELDS,
  importOffer,
  importReducer,
  importRequest,
  INITIAL_IMPORT,
  mappingRows,
  previewFields,
  readBoundaries,
  type ImportField,
  groupRowErrors,
  type PreviewField,
  type PreviewRow,
  type Purpose,
  type RowErrorGroup,
} from './import-model.js';
import { postImport } from './import-request.js';
import { bytesText, failureText, FIELD_WORDS, importButtonText, PREVIEW_WORDS, rowsText } from './import-words.js';
import './displacement.css';

/** Lines of the error report drawn at once (one per reason): a file of 100,000 bad rows must not make 100,000 table rows. */
const ERRORS_SHOWN = 200;

/** A preview cell: figures in the language's digits, coordinates to 5 decimals, the rest as it is. */
function cellText(field: PreviewField, value: unknown, w: Words): ReactNode {
  if (value === undefined || value === null || value === '') return '';
  if (field === 'population' && typeof value === 'number') return w.fmt.number(value);
  if ((field === 'lat' || field === 'lon') && typeof value === 'number') return w.fmt.number(value, 5);
  if (field === 'date' && typeof value === 'string') return w.fmt.day(value.slice(0, 10));
  if (field === 'placed') return w.t(value === 'area' ? 'displacement.placedAreaCell' : 'displacement.placedPointCell');
  return <bdi>{String(value)}</bdi>;
}

/** One line of the error report: the rows refused for one reason, the field at fault, and the server's reason (English, kept as data). */
function ErrorGroup({ g, w }: { g: RowErrorGroup; w: Words }) {
  const field = g.field && (IMPORT_FIELDS as readonly string[]).includes(g.field) ? w.t(FIELD_WORDS[g.field as ImportField]) : g.field;
  return (
    <tr data-testid="import-error" data-row={g.rows[0]} data-rows={g.rows.length}>
      <td className="rows">{rowsText(g.rows, w)}</td>
      <td>{field ? <bdi>{field}</bdi> : '—'}</td>
      <td>
        <bdi lang="en" dir="ltr">
          {g.message}
        </bdi>
      </td>
    </tr>
  );
}

/**
 * A place to drop a file, which is also its picker (a label around a hidden file input). The page's own drops only:
 * elsewhere on the page a dropped file is ignored rather than opened by the browser in place of the page.
 */
function DropZone({ id, title, hint, accept, chosen, onFile, disabled }: { id: string; title: string; hint: string; accept: string; chosen: ReactNode; onFile(f: File): void; disabled: boolean }) {
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  };
  return (
    <label
      className={`drop-zone${over ? ' over' : ''}${disabled ? ' disabled' : ''}`}
      data-testid={`${id}-drop`}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <span className="drop-title">{title}</span>
      <span className="drop-hint">{hint}</span>
      {chosen}
      <input
        type="file"
        accept={accept}
        data-testid={`${id}-input`}
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onFile(file);
          // The same file chosen again (after changing it on disk) is read again.
          e.target.value = '';
        }}
      />
    </label>
  );
}

/** The stage of a request in words, with its bar: bytes sent while uploading, then an indeterminate bar while the server reads. */
function Progress({ stage, w }: { stage: ReturnType<typeof importReducer>['stage']; w: Words }) {
  if (stage.kind === 'idle') return null;
  if (stage.kind === 'reading') {
    return (
      <div className="import-progress" role="status" data-testid="import-progress" data-stage="reading">
        <span>{w.t('displacement.readingFile', { name: w.isolate(stage.name) })}</span>
        <progress />
      </div>
    );
  }
  const what = (p: Purpose) => w.t(p === 'check' ? 'displacement.checking' : 'displacement.importing');
  if (stage.kind === 'uploading') {
    return (
      <div className="import-progress" role="status" data-testid="import-progress" data-stage="uploading" data-loaded={stage.loaded} data-total={stage.total}>
        <span>
          {what(stage.purpose)} · {w.t('displacement.uploading', { sent: bytesText(stage.loaded, w), total: bytesText(stage.total, w), percent: w.fmt.percent(stage.total > 0 ? stage.loaded / stage.total : 0) })}
        </span>
        <progress value={stage.loaded} max={Math.max(1, stage.total)} />
      </div>
    );
  }
  return (
    <div className="import-progress" role="status" data-testid="import-progress" data-stage="server">
      <span>
        {what(stage.purpose)} · {w.t('displacement.serverReading')}
      </span>
      <progress />
    </div>
  );
}

export function ImportPage() {
  useLiveConnection();
  const w = useWords();
  const now = useNow(1000);
  const me = useMe();
  const sitesNow = usePicture((s) => Object.keys(s.picture.sites).length);
  const [s, dispatch] = useReducer(importReducer, INITIAL_IMPORT);
  // The state as of the last render, for the requests started from effects and handlers.
  const state = useRef(s);
  state.current = s;
  const running = useRef<AbortController | null>(null);
  const may = me === null || mayDo(me, 'sites');

  // A file dropped beside the drop zones would replace the page with the file: refuse it.
  useEffect(() => {
    const stop = (e: Event) => e.preventDefault();
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
      running.current?.abort();
    };
  }, []);

  const send = async (purpose: Purpose) => {
    const cur = state.current;
    if (!cur.file) return;
    running.current?.abort();
    const ctl = new AbortController();
    running.current = ctl;
    dispatch({ type: 'reading', name: cur.file.name });
    const progress = {
      reading: () => dispatch({ type: 'reading', name: cur.file!.name }),
      upload: (loaded: number, total: number) => dispatch({ type: 'progress', purpose, loaded, total }),
      uploaded: () => dispatch({ type: 'uploaded', purpose }),
    };
    try {
      const reply = await postImport(importRequest(cur, purpose), cur.file.blob, cur.boundaries?.text ?? null, progress, ctl.signal);
      if (!ctl.signal.aborted) dispatch({ type: 'answered', purpose, status: reply.status, body: reply.body });
    } catch (err) {
      if (!ctl.signal.aborted) dispatch({ type: 'failed', failure: { kind: (err as Error).message === 'file' ? 'file' : 'network' } });
    }
  };

  // A new file or boundary file is checked at once: the server's reading is the page's first answer.
  useEffect(() => {
    if (s.file && may) void send('check');
  }, [s.file, s.boundaries]);

  // The file itself is read by the worker that sends it: the page keeps the browser's handle to it.
  const chooseFile = (file: File) => dispatch({ type: 'file', file: { name: file.name, size: file.size, blob: file } });
  const chooseBoundaries = async (file: File) => {
    dispatch({ type: 'reading', name: file.name });
    try {
      const read = readBoundaries(file.name, await file.text(), file.size);
      if ('reason' in read) dispatch({ type: 'failed', failure: { kind: 'boundaries', reason: read.reason } });
      else dispatch({ type: 'boundaries', boundaries: read });
    } catch {
      dispatch({ type: 'failed', failure: { kind: 'file' } });
    }
  };

  const busy = s.stage.kind !== 'idle';
  const answer = s.answer;
  const offer = importOffer(s);
  const rows = mappingRows(s);
  const fields = answer ? previewFields(answer.preview) : [];
  const groups = answer ? groupRowErrors(answer.errors) : [];
  const result = s.result;

  return (
    <div className="page import-page" data-testid="import-page">
      <TopBar now={now} title={w.t('displacement.pageTitle')} />
      <main className="import-body">
        <div className="import-head">
          <h1>{w.t('displacement.pageTitle')}</h1>
          <a href="/" className="button" data-testid="import-back-top">
            {w.t('displacement.backToPicture')}
          </a>
          <DisplacementExports />
        </div>
        <p className="meta">{w.t('displacement.intro', counted(w, sitesNow))}</p>
        {!may && (
          <p className="import-failed" role="alert" data-testid="import-not-allowed">
            {w.t('displacement.notAllowed')}
          </p>
        )}

        <div className="drop-zones">
          <DropZone
            id="import-file"
            title={w.t('displacement.dropData')}
            hint={w.t('displacement.dropDataHint')}
            accept=".csv,.json,.geojson,.txt,text/csv,application/json"
            disabled={!may || busy}
            onFile={chooseFile}
            chosen={
              s.file && (
                <span className="drop-chosen" data-testid="import-file-chosen">
                  <bdi>{s.file.name}</bdi> · {bytesText(s.file.size, w)}
                </span>
              )
            }
          />
          <DropZone
            id="import-boundaries"
            title={w.t('displacement.dropBoundaries')}
            hint={w.t('displacement.dropBoundariesHint')}
            accept=".json,.geojson,application/geo+json,application/json"
            disabled={!may || busy}
            onFile={chooseBoundaries}
            chosen={
              s.boundaries && (
                <span className="drop-chosen" data-testid="import-boundaries-chosen">
                  <bdi>{s.boundaries.name}</bdi> · {w.t('displacement.boundaryFeatures', counted(w, s.boundaries.features))}
                  <button type="button" className="act act-small" onClick={(e) => {
                      // Inside the drop zone's label: without this, the click would open the file picker too.
                      e.preventDefault();
                      dispatch({ type: 'boundaries', boundaries: null });
                    }} data-testid="import-boundaries-clear">
                    {w.t('displacement.remove')}
                  </button>
                </span>
              )
            }
          />
        </div>

        <fieldset className="import-options" disabled={!may || busy}>
          <legend>{w.t('displacement.options')}</legend>
          <label>
            {w.t('displacement.format')}
            <select value={s.options.format} onChange={(e) => dispatch({ type: 'option', options: { format: e.target.value as 'auto' | 'csv' | 'json' } })} data-testid="import-format">
              <option value="auto">{w.t('displacement.formatAuto')}</option>
              <option value="csv">{w.t('displacement.formatCsv')}</option>
              <option value="json">{w.t('displacement.formatJson')}</option>
            </select>
          </label>
          {s.boundaries && (
            <label>
              {w.t('displacement.pcodeProperty')}
              <select value={s.options.pcodeProperty} onChange={(e) => dispatch({ type: 'option', options: { pcodeProperty: e.target.value } })} data-testid="import-pcode-property">
                <option value="">{w.t('displacement.pcodePropertyAuto')}</option>
                {s.boundaries.properties.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            {w.t('displacement.defaultSource')}
            <input type="text" value={s.options.source} maxLength={200} onChange={(e) => dispatch({ type: 'option', options: { source: e.target.value } })} data-testid="import-source" />
          </label>
          <label>
            {w.t('displacement.defaultDate')}
            <input type="date" value={s.options.date} onChange={(e) => dispatch({ type: 'option', options: { date: e.target.value } })} data-testid="import-date" />
          </label>
          {me?.agreement?.markings?.length ? (
            <label>
              {w.t('displacement.marking')}
              <select value={s.options.marking} onChange={(e) => dispatch({ type: 'option', options: { marking: e.target.value } })} data-testid="import-marking">
                <option value="">{w.t('displacement.markingDefault', { marking: w.isolate(me.agreement.org?.defaultMarking ?? '—') })}</option>
                {me.agreement.markings.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </fieldset>

        <Progress stage={s.stage} w={w} />
        {s.failure && (
          // The server's English sentence stays in the title, for who needs its detail (ui/error-text.ts).
          <p className="import-failed" role="alert" data-testid="import-failed" data-code={s.failure.kind === 'http' ? (s.failure.code ?? s.failure.status) : s.failure.kind} title={s.failure.kind === 'http' ? s.failure.message : undefined}>
            {failureText(s.failure, w)}
          </p>
        )}

        {answer && (
          <>
            <section className="import-section" data-testid="import-mapping" aria-label={w.t('displacement.mappingTitle')}>
              <h2>{w.t('displacement.mappingTitle')}</h2>
              <p className="meta">{w.t('displacement.mappingHint', { format: w.isolate(answer.format || '—'), columns: w.fmt.number(answer.columns.length) })}</p>
              {answer.pcodeProperty && s.boundaries && <p className="meta">{w.t('displacement.joinedOn', { property: w.isolate(answer.pcodeProperty) })}</p>}
              <table className="import-table mapping-table">
                <thead>
                  <tr>
                    <th>{w.t('displacement.fieldHead')}</th>
                    <th>{w.t('displacement.columnHead')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.field} data-testid={`import-map-${r.field}`} data-column={r.column ?? ''} className={r.changed ? 'changed' : undefined}>
                      <th scope="row">{w.t(FIELD_WORDS[r.field])}</th>
                      <td>
                        <select
                          value={r.column === null ? '' : String(r.column)}
                          disabled={!may || busy}
                          aria-label={w.t('displacement.columnFor', { field: w.t(FIELD_WORDS[r.field]) })}
                          onChange={(e) => dispatch({ type: 'map', field: r.field, column: e.target.value === '' ? null : Number(e.target.value) })}
                        >
                          <option value="">{w.t('displacement.notMapped')}</option>
                          {answer.columns.map((c) => (
                            <option key={c.index} value={String(c.index)}>
                              {c.header || w.t('displacement.columnNumber', { n: w.fmt.number(c.index + 1) })}
                              {c.tag ? ` ${c.tag}` : ''}
                            </option>
                          ))}
                        </select>
                        {r.changed && <span className="meta"> {w.t('displacement.changed')}</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {s.stale && (
                <button type="button" className="act" disabled={busy || !may} onClick={() => void send('check')} data-testid="import-recheck">
                  {w.t('displacement.checkAgain')}
                </button>
              )}
            </section>

            <section className="import-section" data-testid="import-preview" aria-label={w.t('displacement.previewTitle')}>
              <h2>{w.t('displacement.previewTitle')}</h2>
              <p className="meta" data-testid="import-counts" data-rows={answer.counts.rows} data-sites={answer.counts.sites} data-flows={answer.counts.flows} data-skipped={answer.counts.skipped}>
                {w.t('displacement.countsLine', {
                  rows: w.fmt.number(answer.counts.rows),
                  sites: w.fmt.number(answer.counts.sites),
                  flows: w.fmt.number(answer.counts.flows),
                  merged: w.fmt.number(answer.counts.merged),
                })}
              </p>
              {answer.preview.length === 0 ? (
                <p className="meta">{w.t('displacement.previewEmpty')}</p>
              ) : (
                <div className="import-scroll">
                  <table className="import-table">
                    <thead>
                      <tr>
                        <th>{w.t('displacement.rowHead')}</th>
                        {fields.map((f) => (
                          <th key={f}>{w.t(PREVIEW_WORDS[f])}</th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {answer.preview.map((r: PreviewRow, i) => (
                        <tr key={`${r.row}-${i}`} data-testid="import-preview-row">
                          <td className="num">{w.fmt.number(r.row)}</td>
                          {fields.map((f) => (
                            <td key={f} className={f === 'population' || f === 'lat' || f === 'lon' ? 'num' : undefined}>
                              {cellText(f, r[f], w)}
                            </td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>

            <section className="import-section" data-testid="import-errors" data-count={answer.errorCount} aria-label={w.t('displacement.errorsTitle')}>
              <h2>
                {w.t('displacement.errorsTitle')} <span className={answer.errorCount > 0 ? 'count bad' : 'count'}>{w.fmt.number(answer.errorCount)}</span>
              </h2>
              {answer.errorCount === 0 ? (
                <p className="meta">{w.t('displacement.noErrors')}</p>
              ) : (
                <>
                  <p className="meta">{w.t('displacement.errorsLine', counted(w, answer.errorCount))}</p>
                  <div className="import-scroll">
                    <table className="import-table">
                      <thead>
                        <tr>
                          <th>{w.t('displacement.rowsHead')}</th>
                          <th>{w.t('displacement.fieldHead')}</th>
                          <th>{w.t('displacement.whyHead')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {groups.slice(0, ERRORS_SHOWN).map((g) => (
                          <ErrorGroup key={`${g.field ?? ''}|${g.message}`} g={g} w={w} />
                        ))}
                      </tbody>
                    </table>
                  </div>
                  {answer.errorCount > answer.errors.length && <p className="meta">{w.t('displacement.errorsListed', { n: w.fmt.number(answer.errors.length), total: w.fmt.number(answer.errorCount) })}</p>}
                </>
              )}
            </section>

            {!result && (
              <div className="import-go">
                <button type="button" className="act primary" disabled={!offer.enabled || !may} onClick={() => void send('import')} data-testid="import-submit">
                  {importButtonText(offer, w)}
                </button>
                {s.stale && <span className="meta">{w.t('displacement.checkFirst')}</span>}
              </div>
            )}
          </>
        )}

        {result && (
          <section className="import-section import-result" role="status" data-testid="import-result" data-sites={result.counts.sites} data-flows={result.counts.flows} data-skipped={result.counts.skipped}>
            <h2>{w.t('displacement.doneTitle')}</h2>
            <p>
              {w.t('displacement.doneSites', counted(w, result.counts.sites))}
              {result.counts.flows > 0 ? ` ${w.t('displacement.doneFlows', counted(w, result.counts.flows))}` : ''}
              {result.counts.skipped > 0 ? ` ${w.t('displacement.doneSkipped', counted(w, result.counts.skipped))}` : ''}
            </p>
            <a href="/" className="button" data-testid="import-back">
              {w.t('displacement.backToPicture')}
            </a>
          </section>
        )}
      </main>
      <footer className="exercise-footer">{w.t('exercise.footer')}</footer>
    </div>
  );
}
