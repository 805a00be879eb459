// The audit trail for administrators (client/src/ui, issue 13): every change with who made it, when, and
// what it changed, filtered by time, organisation, item and kind, a page at a time, and the same rows as
// CSV. The server answers only administrators and records every reading; this page only reads.
import { useCallback, useEffect, useState } from 'react';
import type { AuditRow } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { ITEM_KIND_WORDS, ITEM_KINDS, type Words } from '../layers/words.js';
import { mayDo, useMe } from '../net/session.js';
import { LanguageSwitcher } from './LanguageSwitcher.js';

/** The filters of the form; empty strings are no filter. */
export interface AuditFilter {
  from: string;
  to: string;
  org: string;
  item: string;
  kind: string;
}

const KINDS = ITEM_KINDS;
const KIND_WORDS = ITEM_KIND_WORDS;
const PAGE = 200;

/**
 * The query of a filter: times given in the form as UTC (`YYYY-MM-DDTHH:MM`) sent with their zone.
 * @example auditQuery({ from: '2026-12-06T08:00', to: '', org: 'WFP', item: '', kind: '' }) // 'from=2026-12-06T08%3A00Z&org=WFP'
 */
export function auditQuery(f: AuditFilter, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (f.from) q.set('from', `${f.from}Z`);
  if (f.to) q.set('to', `${f.to}Z`);
  if (f.org.trim()) q.set('org', f.org.trim());
  if (f.item.trim()) q.set('item', f.item.trim());
  if (f.kind) q.set('kind', f.kind);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/**
 * What a change did to its item, in a few words: made, removed, or the fields it changed.
 * @example changeSummary({ before: { a: 1, b: 2 }, after: { a: 1, b: 3 } }) // { what: 'changed', fields: ['b'] }
 */
export function changeSummary(row: Pick<AuditRow, 'before' | 'after'>): { what: 'created' | 'removed' | 'changed' | 'same'; fields: string[] } {
  const { before, after } = row;
  if (before === null && after !== null) return { what: 'created', fields: [] };
  if (after === null) return { what: before === null ? 'same' : 'removed', fields: [] };
  if (typeof before !== 'object' || typeof after !== 'object') return { what: JSON.stringify(before) === JSON.stringify(after) ? 'same' : 'changed', fields: [] };
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).sort();
  return { what: fields.length > 0 ? 'changed' : 'same', fields };
}

const SUMMARY_WORDS: Record<ReturnType<typeof changeSummary>['what'], MessageKey> = {
  created: 'audit.created',
  removed: 'audit.removed',
  changed: 'audit.changed',
  same: 'audit.same',
};

function Summary({ row, w }: { row: AuditRow; w: Words }) {
  const s = changeSummary(row);
  return (
    <span>
      {w.t(SUMMARY_WORDS[s.what], { fields: s.fields.map((f) => w.isolate(f)).join(', ') })}
    </span>
  );
}

export function AuditPage() {
  const w = useWords();
  const me = useMe();
  const [filter, setFilter] = useState<AuditFilter>({ from: '', to: '', org: '', item: '', kind: '' });
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [next, setNext] = useState<number | undefined>();
  const [state, setState] = useState<'idle' | 'loading' | 'error'>('idle');
  const [error, setError] = useState('');
  const allowed = mayDo(me, 'audit');
  const [orgs, setOrgs] = useState<string[]>([]);
  useEffect(() => {
    // The agreement's organisations, offered in the organisation filter.
    fetch('/api/agreement', { credentials: 'same-origin' })
      .then((r) => (r.ok ? (r.json() as Promise<{ agreement: { organisations: { id: string }[] } }>) : null))
      .then((a) => a && setOrgs(a.agreement.organisations.map((o) => o.id)))
      .catch(() => undefined);
  }, []);

  const load = useCallback(
    async (f: AuditFilter, after?: number) => {
      setState('loading');
      try {
        const r = await fetch(`/api/audit?${auditQuery(f, { limit: String(PAGE), ...(after !== undefined ? { after: String(after) } : {}) })}`, { credentials: 'same-origin' });
        const body = (await r.json()) as { rows?: AuditRow[]; next?: number; error?: { code: string; path: string } };
        if (!r.ok || !body.rows) {
          setState('error');
          setError(body.error ? `${body.error.path || body.error.code}` : String(r.status));
          return;
        }
        setRows((old) => (after === undefined ? body.rows! : [...old, ...body.rows!]));
        setNext(body.next);
        setState('idle');
      } catch {
        setState('error');
        setError('—');
      }
    },
    [],
  );

  useEffect(() => {
    if (allowed) void load(filter);
    // The first page once the user is known to be an administrator; later ones on demand.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [allowed]);

  const field = (name: keyof AuditFilter) => ({
    value: filter[name],
    onChange: (e: { target: { value: string } }) => setFilter({ ...filter, [name]: e.target.value }),
  });

  return (
    <div className="page audit-page" data-testid="audit-page">
      <header className="audit-head">
        <h1>{w.t('audit.title')}</h1>
        <LanguageSwitcher />
      </header>
      {me && !allowed ? (
        <p className="audit-refused" data-testid="audit-refused">
          {w.t('audit.adminsOnly')}
        </p>
      ) : null}
      {allowed ? (
        <>
          <p className="audit-note">{w.t('audit.note')}</p>
          <form
            className="audit-filter"
            onSubmit={(e) => {
              e.preventDefault();
              void load(filter);
            }}
          >
            <label>
              {w.t('audit.from')}
              <input type="datetime-local" data-testid="audit-from" {...field('from')} />
            </label>
            <label>
              {w.t('audit.to')}
              <input type="datetime-local" data-testid="audit-to" {...field('to')} />
            </label>
            <label>
              {w.t('audit.org')}
              <input type="text" data-testid="audit-org" list="audit-orgs" {...field('org')} />
              <datalist id="audit-orgs">
                {orgs.map((o) => (
                  <option key={o} value={o} />
                ))}
              </datalist>
            </label>
            <label>
              {w.t('audit.item')}
              <input type="text" data-testid="audit-item" {...field('item')} />
            </label>
            <label>
              {w.t('audit.kind')}
              <select data-testid="audit-kind" {...field('kind')}>
                <option value="">{w.t('audit.anyKind')}</option>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {w.t(KIND_WORDS[k])}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" data-testid="audit-show">
              {w.t('audit.show')}
            </button>
            <a className="button" data-testid="audit-csv" href={`/api/audit?${auditQuery(filter, { format: 'csv', limit: '10000' })}`} download>
              {w.t('audit.csv')}
            </a>
          </form>
          {state === 'error' ? (
            <p className="audit-error" role="alert" data-testid="audit-error">
              {w.t('audit.failed', { what: w.isolate(error) })}
            </p>
          ) : null}
          <table className="audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th>{w.t('audit.col.time')}</th>
                <th>{w.t('audit.col.who')}</th>
                <th>{w.t('audit.col.what')}</th>
                <th>{w.t('audit.col.item')}</th>
                <th>{w.t('audit.col.change')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={`${r.seq}-${r.item}-${i}`} data-testid="audit-row" data-seq={r.seq}>
                  <td dir="ltr">
                    {w.fmt.utcDate(Date.parse(r.time))} {w.fmt.utcTime(Date.parse(r.time))}
                  </td>
                  <td>
                    <bdi>{r.org || '—'}</bdi> · {r.role || '—'} · <bdi className="token">{r.tokenId}</bdi>
                  </td>
                  <td dir="ltr">{r.type}</td>
                  <td>
                    {KIND_WORDS[r.kind as (typeof KINDS)[number]] ? w.t(KIND_WORDS[r.kind as (typeof KINDS)[number]]) : r.kind} <bdi>{r.item}</bdi>
                  </td>
                  <td>
                    <details>
                      <summary>
                        <Summary row={r} w={w} />
                      </summary>
                      <div className="audit-json" dir="ltr">
                        <div>
                          <b>{w.t('audit.before')}</b>
                          <pre>{JSON.stringify(r.before, null, 1)}</pre>
                        </div>
                        <div>
                          <b>{w.t('audit.after')}</b>
                          <pre>{JSON.stringify(r.after, null, 1)}</pre>
                        </div>
                      </div>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && state === 'idle' ? <p data-testid="audit-empty">{w.t('audit.none')}</p> : null}
          {next !== undefined ? (
            <button type="button" data-testid="audit-more" disabled={state === 'loading'} onClick={() => void load(filter, next)}>
              {w.t('audit.more')}
            </button>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
