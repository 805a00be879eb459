// The contract's default vehicle profile: which OSM ways are routable, their speed, direction and
// humanitarian assessment (operational_status, practicability). Pure; used when the graph is built.
import type { VehicleClass } from '@corridor/protocol';

/**
 * Bumped whenever the profile's output changes, so prepared-graph caches built under an older
 * profile are not reused.
 */
export const PROFILE_VERSION = 4;

/** Default speeds by `highway` class, km/h (the contract's routable classes only). */
export const CLASS_SPEED_KMH: Readonly<Record<string, number>> = {
  motorway: 100,
  trunk: 80,
  primary: 60,
  secondary: 50,
  tertiary: 40,
  unclassified: 30,
  residential: 25,
  living_street: 10,
  service: 15,
  road: 20,
  motorway_link: 60,
  trunk_link: 50,
  primary_link: 40,
  secondary_link: 35,
  tertiary_link: 30,
};

/** Speed factor by `surface` (1 = sealed road); unknown surfaces count as sealed. */
const SURFACE_FACTOR: Readonly<Record<string, number>> = {
  unpaved: 0.6,
  compacted: 0.75,
  fine_gravel: 0.7,
  gravel: 0.6,
  pebblestone: 0.6,
  ground: 0.5,
  dirt: 0.5,
  earth: 0.5,
  grass: 0.4,
  sand: 0.35,
  mud: 0.3,
  sett: 0.8,
  cobblestone: 0.7,
  wood: 0.7,
};

/** Speed factor by `smoothness`. */
const SMOOTHNESS_FACTOR: Readonly<Record<string, number>> = {
  intermediate: 0.9,
  bad: 0.7,
  very_bad: 0.5,
  horrible: 0.35,
  very_horrible: 0.25,
  impassable: 0.2,
};

/**
 * Vehicle classes ordered from lightest to heaviest, after the IOM `practicability` scale: a road
 * practicable for a class is practicable for every lighter class.
 */
export const VEHICLE_CLASSES: readonly VehicleClass[] = ['motorbike', '4wd', 'light_truck', 'heavy_truck', 'truck_trailer'];

/** Rank of a vehicle class, 1 (motorbike) .. 5 (truck + trailer). */
export function vehicleRank(vehicleClass: VehicleClass | undefined): number {
  // No class given: the lightest motor vehicle, so a plain query sees every motorable road.
  return vehicleClass ? VEHICLE_CLASSES.indexOf(vehicleClass) + 1 : 1;
}

/** Heaviest vehicle rank a road takes, from its `practicability` tag (5 when untagged). */
export function practicabilityRank(tags: Readonly<Record<string, string>>): number {
  const p = tags.practicability;
  if (!p) return 5;
  // Several values (`4wd_less_than_3.5mt;heavy_truck_less_than_20mt`): the heaviest one holds.
  return Math.max(...p.split(';').map((v) => rankOf(v.trim().toLowerCase())));
}

function rankOf(v: string): number {
  if (v.startsWith('non_motor') || v === 'no' || v === 'impassable') return 0;
  if (v.startsWith('motorbike')) return 1;
  if (v.startsWith('4wd') || v.startsWith('car')) return 2;
  if (v.startsWith('light_truck')) return 3;
  if (v.startsWith('heavy_truck')) return 4;
  if (v.startsWith('truck')) return 5;
  // `unspecified` and unknown values: no restriction known.
  return 5;
}

/** Road status after the IOM assessment: 0 open, 1 restricted, 2 closed. */
export const STATUS_OPEN = 0;
export const STATUS_RESTRICTED = 1;
export const STATUS_CLOSED = 2;

/** Parses `operational_status` (absent → open). */
export function operationalStatus(tags: Readonly<Record<string, string>>): number {
  // Several values (`open;restricted`): the most cautious one holds.
  const values = (tags.operational_status ?? '').toLowerCase().split(';').map((v) => v.trim());
  if (values.some((v) => v === 'closed' || v === 'impassable')) return STATUS_CLOSED;
  if (values.some((v) => v === 'restricted' || v === 'limited')) return STATUS_RESTRICTED;
  return STATUS_OPEN;
}

/** Whether a way is routable under the default vehicle profile (contract: "Default vehicle profile"). */
export function isRoutable(tags: Readonly<Record<string, string>>): boolean {
  if (!(tags.highway in CLASS_SPEED_KMH)) return false;
  if (tags.area === 'yes') return false;
  for (const key of ['access', 'motor_vehicle', 'motorcar']) {
    const v = tags[key];
    if (v === 'no' || v === 'private') return false;
  }
  return true;
}

/**
 * Direction of travel: 1 along the drawing only, -1 against it only, 0 both ways.
 * Motorways and roundabouts are one way unless tagged `oneway=no` (contract).
 */
export function onewayOf(tags: Readonly<Record<string, string>>): -1 | 0 | 1 {
  const o = tags.oneway;
  if (o === 'yes' || o === 'true' || o === '1') return 1;
  if (o === '-1' || o === 'reverse') return -1;
  if (o === 'no' || o === 'false' || o === '0') return 0;
  if (tags.highway === 'motorway' || tags.junction === 'roundabout' || tags.junction === 'circular') return 1;
  return 0;
}

/** Parses OSM `maxspeed` into km/h; undefined for symbolic values (`SE:urban`, `none`, ...). */
export function parseMaxspeedKmh(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(mph|knots)?\s*$/i.exec(value.split(';')[0]);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!(n > 0)) return undefined;
  const unit = m[2]?.toLowerCase();
  return unit === 'mph' ? n * 1.609344 : unit === 'knots' ? n * 1.852 : n;
}

/**
 * Expected travel speed on a way, metres per second: `maxspeed` where present (else the class
 * default), slowed by surface and smoothness.
 * @example speedMps({ highway: 'residential' }) // 25 km/h ≈ 6.94 m/s
 */
export function speedMps(tags: Readonly<Record<string, string>>): number {
  const base = parseMaxspeedKmh(tags.maxspeed) ?? CLASS_SPEED_KMH[tags.highway] ?? 20;
  const surface = SURFACE_FACTOR[(tags.surface ?? '').toLowerCase()] ?? 1;
  const smooth = SMOOTHNESS_FACTOR[(tags.smoothness ?? '').toLowerCase()] ?? 1;
  return Math.max(2, (base * surface * smooth) / 3.6);
}
