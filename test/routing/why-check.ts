// Shared checks of corridors' structured reasons for the router tests: `why` passes CorridorWhySchema
// and reasonText(why, names) is the corridor's English `reason`, with names read from the picture.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { expect } from 'vitest';
import { CorridorWhySchema, reasonText, type Corridor, type Picture, type ReasonNames } from '@corridor/protocol';

const whyCheck = TypeCompiler.Compile(CorridorWhySchema);

/**
 * Names as the router gives them, derived independently from the picture: "zone tz-1 (Sniper fire)"
 * (a constraint's label is its reason), "hv-1 (School)"; kind and id, or the id, once gone.
 */
export function pictureNames(picture: Picture): ReasonNames {
  return {
    zone: (ref) => {
      const label = ref.kind === 'zone' ? picture.threats[ref.id]?.label : picture.constraints[ref.id]?.reason;
      return `${ref.kind} ${ref.id}${label ? ` (${label})` : ''}`;
    },
    haven: (id) => {
      const h = picture.havens[id];
      return h ? `${id} (${h.name})` : id;
    },
  };
}

/** Schema errors of a `why`, as text (empty when it passes). */
export function whyErrors(why: unknown): string[] {
  return [...whyCheck.Errors(why)].map((e) => `${e.path}: ${e.message}`);
}

/**
 * Asserts the invariant of every corridor the router returns: it carries a `why` that passes the
 * schema (also after a trip through JSON, which has no Infinity) and whose English text is its `reason`.
 */
export function expectWhy(c: Corridor, picture: Picture, label = c.convoyId): void {
  expect(c.why, `${label}: why`).toBeDefined();
  expect(whyErrors(c.why), `${label}: why passes the schema`).toEqual([]);
  expect(whyErrors(JSON.parse(JSON.stringify(c.why))), `${label}: why as JSON passes the schema`).toEqual([]);
  expect(reasonText(c.why!, pictureNames(picture)), `${label}: reasonText(why) is the reason`).toBe(c.reason);
}

/** {@link expectWhy} on each corridor; returns them for chaining. */
export function expectWhys(cs: Corridor[], picture: Picture): Corridor[] {
  for (const c of cs) expectWhy(c, picture);
  return cs;
}
