// The access page, `/access` (client/src/access, issue 16): what is open, restricted or closed and why, as a
// list beside a map, filtered by status, category, area and age (the filters are the page's address, so a view
// can be shared), exported as CSV or GeoJSON, with the selected constraint's history; and whether one can get
// from A to B now. Live: the list is read again when the picture's constraints change.
import { useEffect, useMemo, useRef, useState } from 'react';
import { ACCESS_CATEGORIES, type Picture } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { ACCESS_STATUS_COLORS } from '../layers/constraint-layers.js';
import { havenIcon } from '../layers/icons.js';
import { SEVERITY_COLORS, type RGBA } from '../layers/palette.js';
import { accessCategoryWord, counted, SEVERITY_WORDS, type Words } from '../layers/words.js';
import { useLiveConnection } from '../net/use-live-connection.js';
import { pictureStore, useNow, usePicture } from '../state/hooks.js';
import type { CorridorHooks } from '../test-hooks.js';
import { TopBar } from '../ui/TopBar.js';
import { ExerciseFooter } from '../ui/ExerciseMarks.js';
import { AccessCheck, type CheckState } from './AccessCheck.js';
import { AccessMap } from './AccessMap.js';
import type { DrawnRoute, PickedPoint } from './access-layers.js';
import {
  ACCESS_STATUSES,
  accessQuery,
  accessSearch,
  DEFAULT_FILTER,
  filterAndSort,
  inForceHours,
  parseAccessFilter,
  rowsFromPicture,
  SORT_KEYS,
  statusKey,
  type AccessChange,
  type AccessFilter,
  type AccessRow,
  type Bbox,
  type SortKey,
} from './access-view.js';

const rgba = ([r, g, b, a]: RGBA) => `rgba(${r},${g},${b},${(a / 255).toFixed(2)})`;
/** How often the list is read again even without a change in the picture (the network's tags come only by HTTP), ms. */
const REFRESH_MS = 60_000;

const COLUMN_WORDS: Record<SortKey, MessageKey> = {
  status: 'access.col.status',
  category: 'access.col.category',
  reason: 'access.col.reason',
  verified: 'access.col.verified',
  age: 'access.col.inForce',
  source: 'access.col.source',
};


/** The list from the server, read again when the picture's constraints change and every minute; the picture's own when the server has none. */
function useAccessRows(): { rows: AccessRow[]; loaded: boolean; failed: string | null } {
  const constraints = usePicture((s) => s.picture.constraints);
  const hasSnapshot = usePicture((s) => s.hasSnapshot);
  const [state, setState] = useState<{ rows: AccessRow[]; loaded: boolean; failed: string | null }>({ rows: [], loaded: false, failed: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    let on = true;
    // A burst of changes is read once.
    const t = setTimeout(() => {
      fetch('/api/access/constraints', { credentials: 'same-origin' })
        .then(async (r) => {
          const body = (await r.json().catch(() => null)) as { constraints?: AccessRow[]; error?: { code: string } } | null;
          if (!on) return;
          if (r.ok && body?.constraints) setState({ rows: body.constraints, loaded: true, failed: null });
          else if (hasSnapshot) setState({ rows: rowsFromPicture(pictureStore.getState().picture.constraints), loaded: true, failed: body?.error?.code ?? String(r.status) });
        })
        .catch((err: Error) => {
          if (on && hasSnapshot) setState({ rows: rowsFromPicture(pictureStore.getState().picture.constraints), loaded: true, failed: err.message });
        });
    }, 300);
    return () => {
      on = false;
      clearTimeout(t);
    };
  }, [constraints, hasSnapshot, tick]);
  return state;
}

/** Who verified a row and when ('—' for what is not known). */
function verifiedText(row: AccessRow, w: Words): string {
  const at = row.verifiedAt !== undefined ? Date.parse(row.verifiedAt) : NaN;
  const when = Number.isFinite(at) ? `${w.fmt.utcDate(at)} ${w.fmt.utcTime(at)}` : '—';
  return row.verifiedBy ? w.t('access.verified', { who: w.isolate(row.verifiedBy), time: when }) : when;
}

/** How long a row has been in force, in the language's duration words; '—' when its start is not known. */
function inForceText(row: AccessRow, nowMs: number, w: Words): string {
  const h = inForceHours(row, nowMs);
  if (h === null) return '—';
  if (h >= 48) return w.t('access.days', counted(w, Math.floor(h / 24)));
  return w.fmt.duration(Math.round(h * 3600));
}

/** The assessment tags a network road may carry, and the words of each (their values are the survey's own, shown as tagged). */
const TAG_WORDS: Record<string, MessageKey> = {
  operational_status: 'access.tag.operationalStatus',
  practicability: 'access.tag.practicability',
  surface: 'access.tag.surface',
  smoothness: 'access.tag.smoothness',
  operational_status_quality: 'access.tag.quality',
};

/** A network road's assessment tags in words: "takes at most: 4wd less than 3.5mt" (a tag without words as `key=value`). */
function tagsText(tags: Record<string, string> | undefined, w: Words): string[] {
  return Object.entries(tags ?? {}).map(([k, v]) => {
    const value = v.replace(/_/g, ' ');
    return Object.hasOwn(TAG_WORDS, k) ? w.t('access.tag.line', { tag: w.t(TAG_WORDS[k]), value: w.isolate(value) }) : `${k}=${v}`;
  });
}

/** Why a row is as it is: its reason, or a network road's name and assessment tags. */
function ReasonCell({ row, w }: { row: AccessRow; w: Words }) {
  const tags = tagsText(row.road?.operationalStatus ? { operational_status: row.road.operationalStatus, ...row.reasonTags } : row.reasonTags, w);
  return (
    <>
      {row.reason ? <bdi>{row.reason}</bdi> : row.road ? null : <span className="meta">{w.t('access.noReason')}</span>}
      {row.road ? (
        <div>
          {row.road.name ? w.t('access.road', { name: w.isolate(row.road.name) }) : w.t('access.roadUnnamed', { highway: w.isolate(row.road.highway) })}
          {tags.length > 0 ? (
            <div className="meta tags">
              {tags.map((t) => (
                <span key={t}>{t}</span>
              ))}
            </div>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

function Filters({ filter, onChange, w }: { filter: AccessFilter; onChange(f: AccessFilter): void; w: Words }) {
  const toggle = <T,>(list: readonly T[], x: T, on: boolean): T[] => (on ? [...list, x] : list.filter((y) => y !== x));
  const hoursField = (name: 'minAgeH' | 'maxAgeH') => (
    <input
      type="number"
      min={0}
      step="any"
      inputMode="decimal"
      data-testid={`access-${name}`}
      value={filter[name] ?? ''}
      onChange={(e) => {
        const v = e.target.value === '' ? null : Number(e.target.value);
        onChange({ ...filter, [name]: v !== null && Number.isFinite(v) && v >= 0 ? v : null });
      }}
    />
  );
  const chosen = filter.categories.length;
  return (
    <form className="access-filters" data-testid="access-filters" onSubmit={(e) => e.preventDefault()}>
      <fieldset>
        <legend>{w.t('access.status')}</legend>
        {ACCESS_STATUSES.map((s) => (
          <label key={s} className="access-status-box">
            <input type="checkbox" data-testid={`access-status-${s}`} checked={filter.statuses.includes(s)} onChange={(e) => onChange({ ...filter, statuses: toggle(filter.statuses, s, e.target.checked) })} />
            <span className="swatch" style={{ background: rgba(ACCESS_STATUS_COLORS[s]) }} />
            {w.t(statusKey(s))}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{w.t('access.category')}</legend>
        <details className="access-categories">
          <summary data-testid="access-categories">{chosen === 0 ? w.t('access.allCategories') : w.t('access.someCategories', { count: chosen, n: w.fmt.number(chosen), total: w.fmt.number(ACCESS_CATEGORIES.length) })}</summary>
          <div className="access-category-list">
            {ACCESS_CATEGORIES.map((c) => (
              <label key={c.code}>
                <input
                  type="checkbox"
                  data-testid={`access-category-${c.code}`}
                  checked={filter.categories.includes(c.code)}
                  onChange={(e) => onChange({ ...filter, categories: toggle(filter.categories, c.code as string, e.target.checked) })}
                />
                <span className="indicator">{w.fmt.number(c.indicator)}</span>
                {w.t(accessCategoryWord(c.code))}
              </label>
            ))}
          </div>
        </details>
      </fieldset>
      <fieldset>
        <legend>{w.t('access.area')}</legend>
        <select data-testid="access-area" value={filter.area} onChange={(e) => onChange({ ...filter, area: e.target.value as AccessFilter['area'] })}>
          <option value="none">{w.t('access.areaNone')}</option>
          <option value="view">{w.t('access.areaView')}</option>
        </select>
      </fieldset>
      <fieldset className="access-age">
        <legend>{w.t('access.age')}</legend>
        <label>
          {w.t('access.moreThan')}
          {hoursField('minAgeH')}
        </label>
        <label>
          {w.t('access.lessThan')}
          {hoursField('maxAgeH')}
        </label>
      </fieldset>
      <button type="button" className="act" data-testid="access-clear" onClick={() => onChange({ ...DEFAULT_FILTER, statuses: [...DEFAULT_FILTER.statuses], bbox: filter.bbox, sort: filter.sort, order: filter.order, selected: filter.selected })}>
        {w.t('access.clear')}
      </button>
    </form>
  );
}

function History({ row, w }: { row: AccessRow; w: Words }) {
  // The list brings each picture constraint's history, read again with the list as the picture changes;
  // the history endpoint is asked when the row has none (a network road, an older server).
  const [fetched, setFetched] = useState<AccessChange[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (row.history) return;
    let on = true;
    setFetched(null);
    setFailed(false);
    fetch(`/api/access/constraints/${encodeURIComponent(row.id)}/history`, { credentials: 'same-origin' })
      .then(async (r) => {
        const body = (await r.json().catch(() => null)) as { history?: AccessChange[] } | null;
        if (!on) return;
        if (r.ok && body?.history) setFetched(body.history);
        else setFailed(true);
      })
      .catch(() => on && setFailed(true));
    return () => {
      on = false;
    };
  }, [row.id, row.history === undefined]);
  const history = row.history ?? fetched;
  const changes = history ? [...history].reverse() : [];
  return (
    <section className="access-history" data-testid="access-history" aria-label={w.t('access.history.title', { id: row.id })}>
      <h2>
        {w.t('access.history.title', { id: w.isolate(row.id) })}
        {row.origin === 'network' ? <span className="origin">{w.t('access.network')}</span> : null}
      </h2>
      {row.validUntil ? <p className="meta">{w.t('access.validUntil', { time: `${w.fmt.utcDate(Date.parse(row.validUntil))} ${w.fmt.utcTime(Date.parse(row.validUntil))}` })}</p> : null}
      {changes.length === 0 ? (
        <p className="meta">{failed ? w.t('access.history.unavailable') : w.t('access.history.none')}</p>
      ) : (
        <ol>
          {changes.map((c, i) => (
            <li key={`${c.atMs}-${i}`} data-testid="access-history-item">
              <span className="when" dir="ltr">
                {w.fmt.utcDate(c.atMs)} {w.fmt.utcTime(c.atMs)}
              </span>{' '}
              <b className={`st st-${c.status}`}>{w.t(statusKey(c.status))}</b> · {w.t(accessCategoryWord(c.category))}
              {c.reason ? <> · {w.isolate(c.reason)}</> : null}
              <div className="meta">
                {c.org || c.role ? w.t('access.history.by', { who: w.isolate([c.org, c.role].filter(Boolean).join(' · ')) }) : null}
                {c.verifiedBy ? ` ${w.t('access.history.verifiedBy', { who: w.isolate(c.verifiedBy), time: w.fmt.utcTime(c.verifiedAtMs) })}` : null}
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function MapLegend({ w }: { w: Words }) {
  return (
    // Folded at first on a short screen, where it would cover much of the map.
    <details className="legend access-legend" data-testid="access-legend" open={window.innerHeight >= 900}>
      <summary>
        <h2>{w.t('legend.title')}</h2>
      </summary>
      <ul>
        {ACCESS_STATUSES.map((s) => (
          <li key={s}>
            <span className="legend-constraint" style={{ background: rgba(ACCESS_STATUS_COLORS[s]) }} />
            {w.t(`access.legend.${s}` as MessageKey)}
          </li>
        ))}
        <li>
          <span className="legend-constraint faded" style={{ background: rgba(ACCESS_STATUS_COLORS.closed) }} />
          {w.t('access.legend.filteredOut')}
        </li>
        {(Object.keys(SEVERITY_COLORS) as (keyof typeof SEVERITY_COLORS)[]).map((s) => (
          <li key={s}>
            <span className="legend-swatch" style={{ background: rgba(SEVERITY_COLORS[s].fill), borderColor: rgba(SEVERITY_COLORS[s].line) }} />
            {w.t(SEVERITY_WORDS[s].name)}
          </li>
        ))}
        <li>
          <img className="legend-haven" src={havenIcon('open', 6).url} alt="" />
          {w.t('legend.haven')}
        </li>
        <li>
          <span className="legend-site" />
          {w.t('legend.sites')}
        </li>
        <li>
          <span className="access-legend-route" />
          {w.t('access.legend.route')}
        </li>
        <li>
          <span className="access-legend-route dashed" />
          {w.t('access.legend.opensIf')}
        </li>
        <li>
          <span className="access-legend-route named" />
          {w.t('access.legend.named')}
        </li>
      </ul>
    </details>
  );
}

export function AccessPage({ hooks }: { hooks: CorridorHooks }) {
  useLiveConnection();
  const w = useWords();
  const now = useNow(1000);
  const clockOffsetMs = usePicture((s) => s.clockOffsetMs);
  const picture = usePicture((s) => s.picture) as Picture;
  const { rows, loaded, failed } = useAccessRows();
  const [filter, setFilter] = useState<AccessFilter>(() => parseAccessFilter(window.location.search));
  const initialBbox = useRef(filter.area === 'view' ? filter.bbox : null).current;
  const [view, setView] = useState<Bbox | null>(filter.bbox);
  const [ends, setEnds] = useState<{ A: [number, number] | null; B: [number, number] | null }>({ A: null, B: null });
  const [check, setCheck] = useState<CheckState>({ kind: 'idle' });
  const [checkKey, setCheckKey] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);
  // Ages move on by the minute; the list need not re-sort each second.
  const nowMs = Math.floor((now + clockOffsetMs) / 60_000) * 60_000;

  const effective: AccessFilter = { ...filter, bbox: filter.area === 'view' ? view : null };
  const collator = useMemo(() => new Intl.Collator(w.fmt.locale), [w.fmt.locale]);
  const shown = useMemo(() => filterAndSort(rows, effective, nowMs, collator), [rows, JSON.stringify(effective), nowMs, collator]);
  const shownIds = useMemo(() => new Set(shown.map((r) => r.id)), [shown]);
  const selectedRow = filter.selected ? rows.find((r) => r.id === filter.selected) : undefined;

  // The filters are the page's address (replaced, not pushed: moving the map is no step to go back to).
  useEffect(() => {
    const lang = new URLSearchParams(window.location.search).get('lang');
    const search = accessSearch(effective, lang ? { lang } : {});
    const url = `${window.location.pathname}?${search}`;
    if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, '', url);
  }, [JSON.stringify(effective)]);

  // A row selected on the map is brought into the list's view.
  useEffect(() => {
    if (!filter.selected) return;
    listRef.current?.querySelector(`[data-row-id="${CSS.escape(filter.selected)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [filter.selected, shown]);

  useEffect(() => {
    hooks.access = {
      loaded,
      rows: shown.map((r) => r.id),
      total: rows.length,
      selected: filter.selected,
      check: check.kind === 'answer' ? (check.answer.ok ? 'route' : 'none') : check.kind,
    };
  }, [hooks, loaded, shown, rows, filter.selected, check]);
  useEffect(
    () => () => {
      hooks.access = null;
    },
    [hooks],
  );

  const routes = useMemo<DrawnRoute[]>(() => {
    if (check.kind !== 'answer') return [];
    const a = check.answer;
    if (a.ok) return [{ id: 'route', path: a.route.coordinates, dashed: false }];
    return a.opensIf && 'route' in a.opensIf ? [{ id: 'opens-if', path: a.opensIf.route.coordinates, dashed: true }] : [];
  }, [check]);
  const named = useMemo(() => {
    if (check.kind !== 'answer') return new Set<string>();
    const refs = check.answer.ok ? check.answer.restricted : check.answer.blockedBy;
    return new Set(refs.filter((r) => r.kind !== 'zone').map((r) => r.id));
  }, [check]);
  const points = useMemo<PickedPoint[]>(() => (['A', 'B'] as const).flatMap((name) => (ends[name] ? [{ name, at: ends[name]! }] : [])), [ends]);

  const select = (id: string) => setFilter((f) => ({ ...f, selected: f.selected === id ? null : id }));
  const sortBy = (key: SortKey) => setFilter((f) => ({ ...f, sort: key, order: f.sort === key ? (f.order === 'asc' ? 'desc' : 'asc') : key === 'reason' || key === 'source' || key === 'category' ? 'asc' : 'desc' }));
  const exportQuery = accessQuery(effective);

  return (
    <div className="page access-page" data-testid="access-page">
      <TopBar now={now} title={w.t('page.access')} />
      <main className="access-body">
        <div className="access-panel">
          <Filters filter={filter} onChange={setFilter} w={w} />
          <div className="access-listbar">
            <span data-testid="access-count" data-count={shown.length} data-total={rows.length}>
              {w.t('access.count', { ...counted(w, shown.length), total: w.fmt.number(rows.length) })}
            </span>
            <span className="access-export">
              {w.t('access.export')}
              <a className="button" data-testid="access-csv" href={`/api/access/constraints.csv?${exportQuery}`} download>
                {w.t('access.csv')}
              </a>
              <a className="button" data-testid="access-geojson" href={`/api/access/constraints.geojson?${exportQuery}`} download>
                {w.t('access.geojson')}
              </a>
            </span>
          </div>
          {failed ? (
            <p className="access-failed" role="status" data-testid="access-failed">
              {w.t('access.failed', { what: w.isolate(failed) })}
            </p>
          ) : null}
          <div className="access-list" ref={listRef}>
            <table className="access-table" data-testid="access-table">
              <thead>
                <tr>
                  {SORT_KEYS.map((k) => (
                    <th key={k} aria-sort={filter.sort === k ? (filter.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
                      <button type="button" data-testid={`access-sort-${k}`} title={w.t('access.sortBy', { column: w.t(COLUMN_WORDS[k]) })} onClick={() => sortBy(k)}>
                        {w.t(COLUMN_WORDS[k])}
                        {filter.sort === k ? (
                          <span className="arrow" aria-hidden="true">
                            {filter.order === 'asc' ? '▲' : '▼'}
                          </span>
                        ) : null}
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr
                    key={r.id}
                    data-testid="access-row"
                    data-row-id={r.id}
                    data-status={r.status}
                    className={r.id === filter.selected ? 'selected' : undefined}
                    aria-selected={r.id === filter.selected}
                    tabIndex={0}
                    onClick={() => select(r.id)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        select(r.id);
                      }
                    }}
                  >
                    <td>
                      <span className={`st st-${r.status}`}>{w.t(statusKey(r.status))}</span>
                    </td>
                    <td>
                      <span className="indicator" title={w.t('access.indicator', { n: w.fmt.number(r.indicator) })}>
                        {w.fmt.number(r.indicator)}
                      </span>{' '}
                      {w.t(accessCategoryWord(r.category))}
                    </td>
                    <td>
                      <ReasonCell row={r} w={w} />
                      {r.origin === 'network' ? <div className="origin">{w.t('access.network')}</div> : null}
                    </td>
                    <td>{verifiedText(r, w)}</td>
                    <td className="num">{inForceText(r, nowMs, w)}</td>
                    <td>{r.source ? <bdi>{r.source}</bdi> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {loaded && shown.length === 0 ? (
              <p className="meta access-empty" data-testid="access-empty">
                {w.t('access.none')}
              </p>
            ) : null}
            {!loaded ? <p className="meta access-empty">{w.t('access.loading')}</p> : null}
          </div>
          {selectedRow ? <History row={selectedRow} w={w} /> : <p className="meta access-hint">{w.t('access.selectHint')}</p>}
        </div>
        <div className="map-wrap access-map">
          <AccessMap
            hooks={hooks}
            rows={rows}
            shownIds={shownIds}
            selected={filter.selected}
            onSelect={(id) => setFilter((f) => ({ ...f, selected: id }))}
            onView={setView}
            initialBbox={initialBbox}
            routes={routes}
            points={points}
            frameRoutesKey={checkKey}
            named={named}
          />
          <div className="access-check-dock">
            <AccessCheck
              picture={picture}
              rows={rows}
              ends={ends}
              onEnds={(e) => {
                // New ends: the answer shown was for others.
                setEnds(e);
                setCheck({ kind: 'idle' });
              }}
              state={check}
              onState={(s) => {
                setCheck(s);
                if (s.kind === 'answer') setCheckKey((k) => k + 1);
              }}
              onSelect={(id) => setFilter((f) => ({ ...f, selected: id }))}
            />
          </div>
          <div className="legend-dock">
            <MapLegend w={w} />
          </div>
        </div>
      </main>
      <ExerciseFooter />
    </div>
  );
}
