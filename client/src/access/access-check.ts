// "Can we get from A to B now?" (client/src/access, issue 16): the answer of `GET /api/access/check` and its
// wording in the page's language, naming zones and constraints as the picture labels them. Pure.
import type { Picture, ZoneRef } from '@corridor/protocol';
import { whyText } from '../ui/format.js';
import type { Words } from '../layers/words.js';
import { rowReason, type AccessRow } from './access-view.js';

/** A zone or a constraint (of the picture or of the network) as the check names it. */
export interface AccessRef {
  kind: string;
  id: string;
}

/** A route of the check, coordinates [lon, lat]. */
export interface CheckRoute {
  coordinates: [number, number][];
  distance_m: number;
  duration_s: number;
  exposure_m?: number;
  min_clearance_m?: number | null;
}

export type CheckAnswer =
  | { ok: true; route: CheckRoute; restricted: AccessRef[] }
  | {
      ok: false;
      code: string;
      message: string;
      blockedBy: AccessRef[];
      opensIf: { ref: AccessRef; route: CheckRoute } | { withheld: true } | null;
    };

/** An error of the check: `off_network` with path `from` or `to`, or any other. */
export interface CheckError {
  code: string;
  message: string;
  path: string;
}

/** How a reason names a ref: a zone as a zone, anything else (a picture or network constraint) as a constraint. */
function asZoneRef(ref: AccessRef): ZoneRef {
  return { kind: ref.kind === 'zone' ? 'zone' : 'constraint', id: ref.id };
}

/**
 * The picture a reason reads labels from, with the network's tagged roads as constraints too (a road's
 * reason, else its name, is its label), so that every ref the check names reads as the page lists it.
 */
export function namingPicture(picture: Pick<Picture, 'threats' | 'constraints' | 'havens'>, rows: readonly AccessRow[]): Pick<Picture, 'threats' | 'constraints' | 'havens'> {
  const constraints = { ...picture.constraints } as Record<string, Picture['constraints'][string]>;
  for (const r of rows) {
    const label = rowReason(r);
    if (!constraints[r.id] && label) constraints[r.id] = { reason: label } as Picture['constraints'][string];
  }
  return { threats: picture.threats, havens: picture.havens, constraints };
}

/**
 * Why there is no route, as the corridors word it: `no safe route: every path is cut by zone tz-3 (Bridge)`.
 * @example blockedText([{ kind: 'zone', id: 'tz-3' }], picture, w)
 */
export function blockedText(refs: readonly AccessRef[], picture: Pick<Picture, 'threats' | 'constraints' | 'havens'>, w: Words): string {
  return whyText({ code: 'no_safe_route', blockedBy: refs.map(asZoneRef) }, picture, w);
}

/** The refs named as a list: `zone tz-3 (Bridge) and constraint ac-2 (Flooded)`. */
export function refsText(refs: readonly AccessRef[], picture: Pick<Picture, 'threats' | 'constraints' | 'havens'>, w: Words): string {
  return w.fmt.list(refs.map((r) => refName(r, picture, w)));
}

/** One ref's name as a reason gives it (`zone tz-3 (Bridge)`). */
export function refName(ref: AccessRef, picture: Pick<Picture, 'threats' | 'constraints' | 'havens'>, w: Words): string {
  const z = asZoneRef(ref);
  const label = z.kind === 'zone' ? picture.threats[z.id]?.label : picture.constraints[z.id]?.reason;
  const values = { id: w.isolate(z.id), ...(label ? { label: w.isolate(label) } : {}) };
  if (z.kind === 'zone') return w.t(label ? 'reason.zoneLabelled' : 'reason.zone', values);
  return w.t(label ? 'reason.constraintLabelled' : 'reason.constraint', values);
}
