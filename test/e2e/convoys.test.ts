// Browser test of convoy operations (test/e2e, issue 12): in real Chromium against the real server on the
// exercise, a planner plans a convoy on the map (its origin clicked on the map), sees its routes, approves
// and starts it from its row; a no-go zone drawn on the map across its route ahead marks it unsafe and a
// re-route is proposed, drawn on the map; the planner takes it from the side panel, acknowledges the
// alert, and lifts the zone after a confirmation. Screenshots go
// to test-results/ (convoy-planned.png, convoy-proposal.png, convoy-rerouted.png).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { along, lineString, length as turfLength } from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, E2e, framesLater, RESULTS, repoRoot, TOKEN } from './helpers.js';

const e2e = new E2e();
const NAME = 'E2E CONVOY';
/** A button's accessible name for an action on our convoy (the name is isolated, U+2068 … U+2069). */
const on = (action: string) => new RegExp(`^${action}:? \u2068?${NAME}\u2069?$`);
/** Backaplan, on a road of the exercise network. */
const ORIGIN: [number, number] = [11.956627, 57.722691];

describe.skipIf(!existsSync(CHROMIUM))('planning and running a convoy in Chromium (needs /usr/bin/chromium)', () => {
  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'dist/client/index.html'))) throw new Error('dist/client is missing: run `npm run test:e2e`, which builds the client first');
    mkdirSync(RESULTS, { recursive: true });
    await e2e.start();
  });
  afterAll(async () => {
    await e2e.close();
  });

  const api = async (pathname: string, body?: unknown) => {
    const res = await fetch(`${e2e.baseUrl}${pathname}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const ours = async () => ((await api('/api/convoys')).body.convoys as Record<string, any>[]).find((c) => c.name === NAME);

  it('plans a convoy with its origin clicked on the map, approves and starts it, takes a proposed re-route when a zone drawn on the map cuts its way, and lifts the zone', async () => {
    const page = await e2e.openPicture('/', { width: 1600, height: 1000 });
    // Plan: name, origin on the map, a haven, people.
    await page.getByTestId('plan-open').click();
    const form = page.getByTestId('plan-form');
    await form.locator('input[name=name]').fill(NAME);
    await page.getByTestId('plan-pick-origin').click();
    const [x, y] = (await page.evaluate(([lon, lat]) => window.__corridor!.project(lon, lat), ORIGIN))!;
    const box = (await page.locator('.map-wrap').boundingBox())!;
    expect(x > 0 && y > 0 && x < box.width && y < box.height, `origin in view at ${x},${y}`).toBe(true);
    await page.mouse.click(box.x + x, box.y + y);
    await expect(page.getByTestId('plan-pick-origin').textContent()).resolves.toMatch(/57\.72\d* N, 11\.95\d* E/);
    await form.locator('select[name=destination]').selectOption('hv-svenska-massan');
    await form.locator('input[name=people]').fill('30');
    await page.getByTestId('plan-submit').click();

    // Planned, with its corridor; the routes side by side when there are several.
    const row = page.locator('li', { hasText: NAME });
    await row.locator('.corridor-status.ok').waitFor({ timeout: 30_000 });
    const planned = await ours();
    expect(planned).toMatchObject({ state: 'planned', people: 30, corridor: { status: 'ok' } });
    expect(Math.hypot(planned!.origin[0] - ORIGIN[0], planned!.origin[1] - ORIGIN[1])).toBeLessThan(0.001);
    await framesLater(page);
    await page.screenshot({ path: path.join(RESULTS, 'convoy-planned.png') });


    // Approve, then start, from its row.
    await row.getByRole('button', { name: on('Approve') }).click();
    await row.getByRole('button', { name: on('Start') }).waitFor();
    await row.getByRole('button', { name: on('Start') }).click();
    await row.getByRole('button', { name: on('Hold') }).waitFor();
    expect((await ours())!.stateHistory.map((h: { to: string }) => h.to)).toEqual(['approved', 'moving']);

    // Selected in the side panel: framed on the map, its checkpoints listed (the ends at least) and drawn.
    const id = (await ours())!.id as string;
    await page.getByTestId(`select-${id}`).click();
    const checkpoints = page.getByTestId(`checkpoints-${id}`);
    await expect.poll(async () => (await checkpoints.locator('li').allTextContents()).join('|'), { timeout: 10_000 }).toMatch(/^start\|.*destination$/);
    await framesLater(page);
    await page.screenshot({ path: path.join(RESULTS, 'convoy-selected.png') });

    // A no-go zone on its route ahead: unsafe at once, a proposal drawn on the map.
    const route = (await ours())!.corridor.features[0].geometry.coordinates as [number, number][];
    const km = turfLength(lineString(route), { units: 'kilometers' });
    const center = along(lineString(route), km * 0.6, { units: 'kilometers' }).geometry.coordinates;
    // Drawn on the map: a circle, its centre on the route, its edge some 150 m east.
    await page.getByTestId('draw-zone-open').click();
    const drawForm = page.getByTestId('draw-zone-form');
    for (const at of [center, [center[0] + 0.0025, center[1]]]) {
      const [px, py] = (await page.evaluate(([lon, lat]) => window.__corridor!.project(lon, lat), at))!;
      await page.mouse.click(box.x + px, box.y + py);
    }
    await expect(page.getByTestId('draw-hint').textContent()).resolves.toMatch(/radius 1\d\d m/);
    await drawForm.locator('select[name=severity]').selectOption('no-go');
    await drawForm.locator('input[name=label]').fill('E2E roadblock');
    await page.getByTestId('draw-zone-post').click();
    await drawForm.waitFor({ state: 'detached' });
    const drawn = ((await api('/api/picture')).body.picture.threats as Record<string, any>);
    const zoneId = Object.values(drawn).find((z) => z.label === 'E2E roadblock')!.id as string;
    expect(drawn[zoneId]).toMatchObject({ severity: 'no-go', geometry: { type: 'Point' } });
    await row.locator('.unsafe').waitFor({ timeout: 30_000 });
    await expect(row.locator('.unsafe').textContent()).resolves.toContain('E2E roadblock');
    const proposal = row.locator('[data-testid^=proposal-]').first();
    await proposal.waitFor({ timeout: 30_000 });
    await expect(proposal.textContent()).resolves.toContain('Re-route proposed');
    const alert = page.locator('[data-testid^=alert-][data-kind=unsafe_route]').filter({ hasText: NAME });
    await alert.waitFor();
    await framesLater(page);
    await page.screenshot({ path: path.join(RESULTS, 'convoy-proposal.png') });

    // The planner takes the best route: it becomes the corridor, the proposal and the unsafe mark go.
    const before = await ours();
    // The side panel is live (alerts, field reports come and go above the row): a click that a shift of
    // the layout sent elsewhere is made again while the proposal and its button are still there.
    const take = row.getByRole('button', { name: on('Take route 1 for') });
    for (let attempt = 1; ; attempt++) {
      await take.click();
      if (await proposal.waitFor({ state: 'detached', timeout: 20_000 }).then(() => true, () => false)) break;
      if (attempt === 3 || !(await take.isVisible())) {
        await proposal.waitFor({ state: 'detached', timeout: 30_000 });
        break;
      }
    }
    await row.locator('.unsafe').waitFor({ state: 'detached' });
    const after = await ours();
    // Around the roadblock (and any exercise zone that also lies ahead by then, such as the chlorine plume).
    expect(after!.corridor.why.code).toBe('rerouted_around');
    expect(after!.corridor.why.zones).toContainEqual({ kind: 'zone', id: zoneId });
    expect(after!.corridor.features[0].geometry.coordinates).toEqual(before!.proposal.routes.features[0].geometry.coordinates);

    // The alert, its cause ended, waits for the planner's acknowledgement, then goes.
    await alert.getByRole('button', { name: /Acknowledge/ }).click();
    await alert.waitFor({ state: 'detached', timeout: 30_000 });
    await framesLater(page);
    await page.screenshot({ path: path.join(RESULTS, 'convoy-rerouted.png') });

    // The roadblock is edited from the side panel: a new label, its shape kept.
    const zoneRow = page.getByTestId(`zone-${zoneId}`);
    await zoneRow.getByRole('button', { name: /^Edit/ }).click();
    const edit = page.getByTestId(`edit-${zoneId}`);
    await edit.locator('input[name=label]').fill('E2E roadblock (EOD on site)');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await api('/api/picture')).body.picture.threats[zoneId]?.label, { timeout: 30_000 }).toBe('E2E roadblock (EOD on site)');
    expect((await api('/api/picture')).body.picture.threats[zoneId]).toMatchObject({ severity: 'no-go', geometry: drawn[zoneId].geometry, radiusM: drawn[zoneId].radiusM });

    // The roadblock is lifted from the side panel, after a confirmation, for every screen.
    await zoneRow.getByRole('button', { name: /^Delete/ }).click();
    await zoneRow.getByRole('button', { name: 'Yes, delete' }).click();
    await zoneRow.waitFor({ state: 'detached', timeout: 30_000 });
    expect(Object.keys((await api('/api/picture')).body.picture.threats)).not.toContain(zoneId);
    await page.close();
  });

  it('makes an evacuation plan, plans two convoys in it by target group, one after the other; refuses the second a start before the first, in words; edits the first', async () => {
    const page = await e2e.openPicture('/', { width: 1600, height: 1000 });
    await page.getByTestId('evac-open').click();
    const planForm = page.getByTestId('evac-form');
    await planForm.locator('input[name=name]').fill('E2E PLAN');
    await planForm.locator('textarea[name=groups]').fill('Medical cases\nFamilies');
    await planForm.locator('input[name=haven-hv-svenska-massan]').check();
    await page.getByTestId('evac-submit').click();
    await planForm.waitFor({ state: 'detached' });
    const plans = (await api('/api/plans')).body.plans as Record<string, any>[];
    const plan = plans.find((p) => p.name === 'E2E PLAN')!;
    expect(plan).toMatchObject({ targetGroups: [{ id: 'medical-cases', name: 'Medical cases' }, { id: 'families', name: 'Families' }], havenIds: ['hv-svenska-massan'] });
    const card = page.getByTestId(`evac-${plan.id}`);
    await card.waitFor();

    const box = (await page.locator('.map-wrap').boundingBox())!;
    const planConvoy = async (name: string, groups: Record<string, string>, after?: string) => {
      await page.getByTestId('plan-open').click();
      const form = page.getByTestId('plan-form');
      await form.locator('input[name=name]').fill(name);
      await page.getByTestId('plan-pick-origin').click();
      const [x, y] = (await page.evaluate(([lon, lat]) => window.__corridor!.project(lon, lat), ORIGIN))!;
      await page.mouse.click(box.x + x, box.y + y);
      await form.locator('select[name=plan]').selectOption(plan.id);
      for (const [group, n] of Object.entries(groups)) await form.locator(`input[name=group-${group}]`).fill(n);
      if (after) await form.locator('select[name=after]').selectOption(after);
      // Only the plan's haven is offered besides the nearest.
      const offered = await form.locator('select[name=destination] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(offered).toEqual(['nearest-haven', 'hv-svenska-massan']);
      await page.getByTestId('plan-submit').click();
      await form.waitFor({ state: 'detached' });
    };
    await planConvoy('E2E FIRST', { 'medical-cases': '5', families: '20' });
    const first = ((await api('/api/convoys')).body.convoys as Record<string, any>[]).find((c) => c.name === 'E2E FIRST')!;
    expect(first).toMatchObject({ planId: plan.id, people: 25, peopleByGroup: { 'medical-cases': 5, families: 20 } });
    await planConvoy('E2E SECOND', { families: '10' }, first.id);
    const second = ((await api('/api/convoys')).body.convoys as Record<string, any>[]).find((c) => c.name === 'E2E SECOND')!;
    expect(second).toMatchObject({ after: first.id, people: 10 });
    // Both are bound for the plan's haven, not a nearer one.
    for (const c of [first, second]) {
      await expect.poll(async () => ((await api(`/api/convoys/${c.id}`)).body.convoy.corridor?.havenId), { timeout: 30_000 }).toBe('hv-svenska-massan');
    }

    // The planner takes the first convoy's second route instead of the fastest: it leads the corridor,
    // marked as chosen.
    const firstRow = page.getByTestId(`convoy-${first.id}`);
    const routes = (await api(`/api/convoys/${first.id}`)).body.convoy.corridor.features;
    expect(routes.length).toBeGreaterThan(1);
    await firstRow.getByRole('button', { name: /^Take route 2 for \u2068?E2E FIRST/ }).click();
    await expect.poll(async () => (await api(`/api/convoys/${first.id}`)).body.convoy.corridor.chosen, { timeout: 30_000 }).toBe(true);
    expect((await api(`/api/convoys/${first.id}`)).body.convoy.corridor.features[0].geometry.coordinates).toEqual(routes[1].geometry.coordinates);
    await expect.poll(async () => firstRow.locator('.routes-compare li').first().textContent(), { timeout: 10_000 }).toContain('chosen by the planner');

    // The plan's card: the order of departure, who waits for whom, people by group.
    const order = page.getByTestId(`evac-order-${plan.id}`);
    await expect.poll(async () => (await order.locator('li').allTextContents()).map((t) => t.replace(/[\u2068\u2069]/g, ''))).toEqual([
      'E2E FIRST PLANNED',
      'E2E SECOND PLANNED · waits for E2E FIRST',
    ]);
    const groups = page.getByTestId(`evac-groups-${plan.id}`);
    await expect(groups.locator('tr').allTextContents()).resolves.toEqual([
      'Medical cases5 waiting · 0 under way · 0 brought in',
      'Families30 waiting · 0 under way · 0 brought in',
    ]);

    // The second, approved, may not start before the first: the refusal in the page's words.
    const row = page.getByTestId(`convoy-${second.id}`);
    await row.getByRole('button', { name: /^Approve:? \u2068?E2E SECOND/ }).click();
    await row.getByRole('button', { name: /^Start:? \u2068?E2E SECOND/ }).click();
    await expect(row.locator('.error').textContent()).resolves.toBe('Not done: The convoy it leaves after has not departed yet.');
    await card.scrollIntoViewIfNeeded();
    await framesLater(page);
    await page.screenshot({ path: path.join(RESULTS, 'evacuation-plan.png') });

    // The first is edited from its row: ten more families.
    await page.getByTestId(`edit-${first.id}`).click();
    const edit = page.getByTestId(`plan-form-${first.id}`);
    await expect(edit.locator('input[name=group-families]').inputValue()).resolves.toBe('20');
    await edit.locator('input[name=group-families]').fill('30');
    await edit.getByTestId('plan-submit').click();
    await edit.waitFor({ state: 'detached' });
    expect((await api(`/api/convoys/${first.id}`)).body.convoy).toMatchObject({ people: 35, state: 'planned', planId: plan.id });
    await page.close();
  }, 300_000);
});
