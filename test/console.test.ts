import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '@macpt/dev';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider } from './oidc-provider.js';
import {
  children,
  householdOf,
  JUSTIFICATION,
  startExtraGateway,
  startTestStack,
  wellInsideAMinute,
} from './testkit.js';

// The console in a real browser (Debian's chromium through playwright-core), against a running stack:
// what practitioners and IG leads see, what they are refused, and what the browser keeps (nothing).

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(REPO_ROOT, 'docs', 'screenshots');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let stack: Awaited<ReturnType<typeof startTestStack>>;
let browser: Browser;
let origin: string;
const s47 = children.find(
  (c) => c.socialCare?.stage === 'SECTION_47' && c.police && c.education?.schoolUrn && !householdOf(c).confidentialBy,
)!;
const lcpp = s47.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;
const unrelated = children.find((c) => !c.socialCare && householdOf(c).la === householdOf(s47).la)!;
const asked: string[] = [s47.nhsNumber, unrelated.nhsNumber];

beforeAll(async () => {
  stack = await startTestStack({}, { RATE_LIMIT_REQUESTS_PER_MINUTE: '100000' });
  origin = stack.gatewayUrl.replace(/\/graphql$/, '');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stopAll();
});

async function signIn(persona: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(origin);
  await page.getByLabel('Persona').selectOption(persona);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

async function find(page: Page, nhs: string, purpose: string, justification?: string) {
  await page.getByLabel('NHS number').fill(nhs);
  await page.getByLabel('Purpose of use').selectOption(purpose);
  if (justification !== undefined) await page.getByLabel('Justification').fill(justification);
  await page.getByRole('button', { name: 'Find', exact: true }).click();
}

/** axe-core in the page: the serious and critical violations, by rule. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(axeSource); // through DevTools: the page's own CSP (no inline script) stays as it is
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: { id: string; impact: string; nodes: unknown[] }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes.length})`);
}

/** Nothing about a child in the URL, the title or the browser's storage. */
async function keepsNothing(page: Page) {
  const kept = (await page.evaluate(`(async () => ({
    href: location.href, title: document.title,
    local: JSON.stringify(Object.assign({}, localStorage)), session: JSON.stringify(Object.assign({}, sessionStorage)),
    idb: (await indexedDB.databases()).map((d) => d.name).join(','),
  }))()`)) as Record<string, string>;
  for (const nhs of asked) expect(Object.values(kept).join(' ')).not.toContain(nhs);
  expect([kept.local, kept.session, kept.idb]).toEqual(['{}', '{}', '']);
}

describe('the console', () => {
  it('shows a named worker the four agencies, withheld fields as withheld, and why', async () => {
    const page = await signIn(lcpp);
    await page.screenshot({ path: join(SHOTS, 'find-child.png'), fullPage: true });
    await find(page, s47.nhsNumber, 'SECTION_47_ENQUIRY');
    for (const panel of ['Social care', 'Health', 'Police', 'Education'])
      await expect.poll(() => page.getByRole('heading', { name: panel, exact: true }).count()).toBe(1);
    await expect.poll(() => page.getByText(s47.name).first().isVisible()).toBe(true);
    expect(await page.getByText('Withheld').count()).toBeGreaterThan(0);
    const renderMs = (await page.evaluate(
      `performance.measure('render', 'macpt:answer', 'macpt:rendered').duration`,
    )) as number;
    console.log(`child view rendered ${renderMs.toFixed(1)} ms after the API's answer`);
    await page.getByRole('button', { name: /^Why\?/ }).click();
    await expect.poll(() => page.getByRole('table', { name: /What you may see/ }).isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'child-view.png'), fullPage: true });
    // Printed (the conference pack), it carries who printed it, when and why, and none of the page's controls.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByText(/Purpose of use: SECTION_47_ENQUIRY\. Printed by .* on /).isVisible()).toBe(true);
    expect(
      await page
        .getByRole('button', { name: /Print|Why\?|Find|Sign out/ })
        .filter({ visible: true })
        .count(),
    ).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'conference-pack-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    expect(await accessibilityProblems(page)).toEqual([]);
    await keepsNothing(page);
    await page.close();
  });

  it('shows the chronology on the child view: every agency’s events newest first, filtered by keyboard, printed with the pack', async () => {
    const page = await signIn(lcpp);
    await find(page, s47.nhsNumber, 'SECTION_47_ENQUIRY');
    const table = page.getByRole('table', { name: /events/ });
    await expect.poll(() => table.isVisible()).toBe(true);
    const rows = table.locator('tbody tr');
    const dates = await rows.locator('td:first-child').allTextContents();
    expect(dates.length).toBeGreaterThan(3);
    expect(dates).toEqual([...dates].sort().reverse());
    const police = s47.police!.incidents.length;
    expect(await rows.filter({ hasText: 'Police incident' }).count()).toBe(police);
    const agencies = new Set(await rows.locator('td:nth-child(2) .govuk-tag').allTextContents());
    expect(agencies.size).toBeGreaterThan(1);
    // Keyboard only: untick every agency but police, then dates that are not dates, then a sound range.
    for (const agency of agencies)
      if (agency !== 'Police') {
        await page.getByRole('checkbox', { name: agency }).focus();
        await page.keyboard.press('Space');
      }
    expect(new Set(await rows.locator('td:nth-child(2) .govuk-tag').allTextContents())).toEqual(
      new Set(police > 0 ? ['Police'] : []),
    );
    await page.getByLabel('From', { exact: true }).fill('2024-02-30');
    await page.getByLabel('To', { exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'There is a problem' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'From must be a real date, for example 2024-03-27' }).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'chronology-date-error.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('From', { exact: true }).fill('1990-01-01');
    await page.getByLabel('To', { exact: true }).fill('1990-12-31');
    await page.getByRole('button', { name: 'Apply dates' }).click();
    await expect.poll(() => rows.first().textContent()).toMatch(/No events you may see match these filters/);
    await page.getByLabel('From', { exact: true }).fill('');
    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Apply dates' }).click();
    for (const agency of agencies) if (agency !== 'Police') await page.getByRole('checkbox', { name: agency }).check();
    await expect.poll(() => rows.count()).toBe(dates.length);
    await page.getByRole('heading', { name: 'Chronology' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'chronology.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    // Printed with the conference pack: the timeline, none of its filters.
    await page.emulateMedia({ media: 'print' });
    expect(await table.isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Apply dates' }).isVisible()).toBe(false);
    expect(await page.getByRole('checkbox').filter({ visible: true }).count()).toBe(0);
    await keepsNothing(page);
    await page.close();
  });

  it("lists an LCPP's caseload, sorted and filtered, and opens a child from it", async () => {
    const page = await signIn(lcpp);
    await page.getByRole('link', { name: 'Caseload' }).click();
    await page.getByLabel('Purpose of use').selectOption('STRATEGY_DISCUSSION');
    await page.getByRole('button', { name: 'Show open cases' }).click();
    const open = children.filter((c) => c.socialCare?.caseId && householdOf(c).la === householdOf(s47).la).length;
    await expect
      .poll(() => page.getByRole('table').getByRole('caption').innerText())
      .toBe(`${open} of ${open} open cases`);
    await page.getByLabel('Stage').selectOption('SECTION_47');
    const inS47 = await page.locator('tbody tr').count();
    expect(inS47).toBeGreaterThan(0);
    expect(inS47).toBeLessThan(open);
    await page.getByRole('button', { name: 'Days open' }).click();
    expect(await page.getByRole('columnheader', { name: 'Days open' }).getAttribute('aria-sort')).toBe('ascending');
    await page.screenshot({ path: join(SHOTS, 'caseload.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: `View ${s47.name}` }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Health', exact: true }).count()).toBe(1);
    await keepsNothing(page);
    // The browser's back button goes back to Find a child, and forward to the caseload (listed again, nothing
    // kept from before): the addresses name pages, never a child.
    expect(new URL(page.url()).hash).toBe('#/caseload');
    await page.goBack();
    await expect.poll(() => page.getByRole('heading', { name: 'Find a child' }).isVisible()).toBe(true);
    await page.goForward();
    await expect.poll(() => page.getByRole('button', { name: 'Show open cases' }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Health', exact: true }).count()).toBe(0);
    await keepsNothing(page);
    await page.close();
  });

  it('gives an IG lead the log integrity and a subject-access report with its downloads', async () => {
    const page = await signIn('ig-social-care');
    await expect.poll(() => page.getByText('Whole').isVisible()).toBe(true);
    await page.getByLabel('NHS number of the child').fill(s47.nhsNumber);
    await page.getByRole('button', { name: 'Make the report' }).click();
    await expect.poll(() => page.getByText(/disclosures of this child's data/).isVisible()).toBe(true);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    expect((await download).suggestedFilename()).toBe('subject-access.csv');
    await page.screenshot({ path: join(SHOTS, 'ig-subject-access.png'), fullPage: true });
    await page.close();
  });

  it("shows a Family Help lead practitioner their family's Family Help record and the others' identity, nothing more", async () => {
    const child = children.find((c) => c.familyHelp?.plan.status === 'ACTIVE' && c.police && c.health)!;
    const lead = child.familyHelp!.leadPractitioner.userId;
    asked.push(child.nhsNumber);
    const page = await signIn(lead);
    // Their only purpose is offered, and nothing the MACPT's members have (caseload, break-glass).
    const purposes = await page.getByLabel('Purpose of use').locator('option').allInnerTexts();
    expect(purposes.filter((p) => !/choose/i.test(p))).toEqual(['Family Help support (Children Act 1989 s.17)']);
    await find(page, child.nhsNumber, 'FAMILY_HELP_SUPPORT');
    await expect.poll(() => page.getByText(child.familyHelp!.plan.goals[0]!).first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText(child.name).first().isVisible()).toBe(true);
    expect(await page.getByText('Withheld').count()).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: /caseload/i }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'family-help-practitioner.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    await keepsNothing(page);
    await page.close();
  });

  it('answers a child with no relationship exactly as an unknown NHS number', async () => {
    const page = await signIn(lcpp);
    await find(page, unrelated.nhsNumber, 'STRATEGY_DISCUSSION');
    await expect.poll(() => page.getByRole('heading', { name: 'No record you may see' }).isVisible()).toBe(true);
    const related = await page.getByRole('status').innerText();
    await find(page, '9999999999', 'STRATEGY_DISCUSSION');
    await expect.poll(() => page.getByRole('status').innerText()).toBe(related);
    await page.screenshot({ path: join(SHOTS, 'no-relationship.png'), fullPage: true });
    await keepsNothing(page);
    await page.close();
  });

  it('checks the NHS number as it is typed, and refuses EMERGENCY without a justification on screen', async () => {
    const page = await signIn(lcpp);
    await page.getByLabel('NHS number').fill(`${s47.nhsNumber.slice(0, 9)}${(Number(s47.nhsNumber[9]) + 1) % 10}`);
    await expect
      .poll(() =>
        page
          .getByText(/the last digit should be \d/)
          .first()
          .isVisible(),
      )
      .toBe(true);
    await page.getByLabel('NHS number').fill(s47.nhsNumber);
    await page.getByLabel('Purpose of use').selectOption('EMERGENCY');
    await expect
      .poll(() =>
        page
          .getByText(/reviewed by information governance/)
          .first()
          .isVisible(),
      )
      .toBe(true);
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('at least 20 characters');
    await page.screenshot({ path: join(SHOTS, 'break-glass-refused.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it('lets an IG lead find the break-glass use just made, see its record and review it', async () => {
    const officer = stack.personas.find((p) => p.role === 'MACPT_POLICE')!;
    const practitioner = await signIn(officer.id);
    await find(practitioner, s47.nhsNumber, 'EMERGENCY', JUSTIFICATION);
    await expect.poll(() => practitioner.getByRole('heading', { name: 'Police', exact: true }).count()).toBe(1);
    await practitioner.close();

    const page = await signIn(`ig-${officer.agency}`);
    await expect.poll(() => page.getByRole('heading', { name: 'Disclosure log' }).isVisible()).toBe(true);
    await page.getByLabel('User').fill(officer.id);
    await page.getByLabel('Break-glass only').check();
    await page.getByRole('button', { name: 'Search the log' }).click();
    await expect.poll(() => page.getByRole('button', { name: /^Details/ }).count()).toBeGreaterThan(0);
    await page
      .getByRole('button', { name: /^Details/ })
      .first()
      .click();
    await expect.poll(() => page.getByText(JUSTIFICATION).first().isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'ig-review.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    const form = page.getByRole('form', { name: new RegExp(`${officer.id} at`) }).first();
    await form.getByLabel('Appropriate', { exact: true }).check();
    await form.getByLabel('Review note').fill('Checked with the duty inspector.');
    await form.getByRole('button', { name: 'Record review' }).click();
    await expect.poll(() => page.getByRole('form', { name: new RegExp(`${officer.id} at`) }).count()).toBe(0);
    await page.close();
  });

  it('shows an agency that is down as missing, not empty', async () => {
    const page = await signIn(lcpp);
    await stack.stop('health');
    try {
      await find(page, s47.nhsNumber, 'SECTION_47_ENQUIRY');
      await expect
        .poll(() => page.getByText('health did not answer — its information is missing, not empty.').isVisible())
        .toBe(true);
      // Other agencies still answer; addresses are withheld while health (which can flag a household) is down.
      await expect.poll(() => page.getByRole('heading', { name: 'Police', exact: true }).count()).toBe(1);
      await page.screenshot({ path: join(SHOTS, 'agency-down.png'), fullPage: true });
    } finally {
      await stack.start('health');
    }
    await page.close();
  });

  it('shows no child data, only a banner, when the disclosure log cannot be written', async () => {
    const gateway = await startExtraGateway(stack, { DISCLOSURE_LOG_FILE: '/dev/full' }, { devIssuer: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(gateway.url.replace(/graphql$/, ''));
      await page.getByLabel('Persona').selectOption(lcpp);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await find(page, s47.nhsNumber, 'SECTION_47_ENQUIRY');
      await expect
        .poll(() => page.getByText(/Nothing is shown: the disclosure log is unavailable/).isVisible())
        .toBe(true);
      expect(await page.getByText(s47.name).count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, 'log-unavailable.png'), fullPage: true });
      await page.close();
    } finally {
      gateway.stop();
    }
  });

  it('says when to try again after too many requests, and offers a retry when the gateway cannot be reached', async () => {
    const gateway = await startExtraGateway(stack, { RATE_LIMIT_REQUESTS_PER_MINUTE: '2' }, { devIssuer: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(gateway.url.replace(/graphql$/, ''));
      await page.getByLabel('Persona').selectOption(lcpp);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await wellInsideAMinute();
      for (let i = 0; i < 3; i++) await find(page, s47.nhsNumber, 'SECTION_47_ENQUIRY');
      await expect.poll(() => page.getByText(/Too many requests: try again in \d+ s\./).isVisible()).toBe(true);
      await expect.poll(() => page.getByRole('heading', { name: 'Health', exact: true }).count()).toBe(0);
      gateway.stop();
      await gateway.exited;
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      await expect.poll(() => page.getByText('The gateway could not be reached.').isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
    } finally {
      await page.close();
      gateway.stop();
    }
  });

  it('goes back to sign-in, clearing the page, when the token is refused (401)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A real token that lives one second (the development issuer signs shorter tokens on request).
    await page.route('**/dev/token', (route) =>
      route.continue({ postData: JSON.stringify({ persona: lcpp, ttlSeconds: 1 }) }),
    );
    await page.goto(origin);
    await page.getByLabel('Persona').selectOption(lcpp);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await find(page, s47.nhsNumber, 'SECTION_47_ENQUIRY');
    await expect.poll(() => page.getByRole('heading', { name: 'Health', exact: true }).count()).toBe(1);
    await page.waitForTimeout(7_000); // past its expiry and the gateway's 5 s clock tolerance
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await expect.poll(() => page.getByLabel('Persona').isVisible()).toBe(true);
    expect(await page.getByText(/You have been signed out: .*expired/).isVisible()).toBe(true);
    expect(await page.getByText(s47.name).count()).toBe(0);
    await page.close();
  });

  it('signs out after 15 minutes without activity, and nothing about the child stays on the page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.clock.install();
    await page.goto(origin);
    await page.getByLabel('Persona').selectOption(lcpp);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await find(page, s47.nhsNumber, 'SECTION_47_ENQUIRY');
    await expect.poll(() => page.getByRole('heading', { name: 'Health', exact: true }).count()).toBe(1);
    await page.clock.fastForward('15:01');
    await expect.poll(() => page.getByText(/signed out after 15 minutes without activity/).isVisible()).toBe(true);
    expect(await page.getByText(s47.name).count()).toBe(0);
    expect(await page.content()).not.toContain(s47.nhsNumber);
    await page.close();
  });

  it('can be used with the keyboard alone: sign in, find a child, read the panels', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(origin);
    await expect.poll(() => page.getByLabel('Persona').isVisible()).toBe(true);
    const focused = () =>
      page.evaluate(`document.activeElement && (document.activeElement.id || document.activeElement.textContent)`);
    await page.keyboard.press('Tab'); // the skip link
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('persona');
    const index = (await page.getByLabel('Persona').locator('option').allTextContents()).findIndex((t) =>
      t.includes(`[${lcpp}]`),
    );
    for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('NHS number').isVisible()).toBe(true);
    // Tab on from the top of the page (skip link, sign out, the menu) to the NHS number.
    for (let i = 0; i < 10 && (await focused()) !== 'nhs'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('nhs');
    await page.keyboard.type(s47.nhsNumber);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('purpose');
    await page.keyboard.press('ArrowDown'); // Strategy discussion
    await page.keyboard.press('ArrowDown'); // Section 47 enquiry
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Health', exact: true }).count()).toBe(1);
    await page.close();
  });

  it("signs in at the organisation's OpenID provider in production (code with PKCE), the token in memory only", async () => {
    const port = await freePort();
    const consoleOrigin = `http://127.0.0.1:${port}`;
    const provider = await startOidcProvider({
      clientId: 'macpt-console',
      redirectUri: `${consoleOrigin}/`,
      audience: 'urn:macpt:gateway',
      scope: 'macpt',
      accounts: stack.personas.map((p) => ({ ...p, school: p.school ?? null })),
    });
    const gateway = await startExtraGateway(stack, {
      PORT: String(port),
      NODE_ENV: 'production',
      OIDC_ISSUER: provider.issuer,
      OIDC_JWKS_URL: provider.jwksUrl,
      OIDC_AUDIENCE: 'urn:macpt:gateway',
      OIDC_CLIENT_ID: 'macpt-console',
      OIDC_SCOPE: 'openid profile macpt',
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const site = await fetch(consoleOrigin);
      expect(site.headers.get('content-security-policy')).toContain(`connect-src 'self' ${provider.issuer};`);
      // An answer this tab never asked for is refused, and leaves nothing behind.
      await page.goto(`${consoleOrigin}/?code=forged&state=forged`);
      await expect
        .poll(() => page.getByText(/Sign-in did not complete: this sign-in was not started here/).isVisible())
        .toBe(true);
      expect(new URL(page.url()).search).toBe('');
      expect(await page.getByLabel('Persona').count()).toBe(0); // no development personas in production
      await page.screenshot({ path: join(SHOTS, 'sign-in-provider.png'), fullPage: true });
      expect(await accessibilityProblems(page)).toEqual([]);

      await page.getByRole('button', { name: "Sign in with your organisation's account" }).click();
      await page.waitForURL(`${provider.issuer}/**`);
      await page.locator('input[name="login"]').fill(lcpp);
      await page.locator('input[name="password"]').fill('any');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await page.waitForURL(`${consoleOrigin}/`);
      await expect.poll(() => page.getByLabel('NHS number').isVisible()).toBe(true);
      const person = stack.personas.find((p) => p.id === lcpp)!;
      expect(await page.getByText(`${person.name} — LCPP`).isVisible()).toBe(true);
      // The provider's access token reaches the gateway, which verifies it against the provider's keys.
      await find(page, s47.nhsNumber, 'SECTION_47_ENQUIRY');
      for (const panel of ['Social care', 'Health', 'Police', 'Education'])
        await expect.poll(() => page.getByRole('heading', { name: panel, exact: true }).count()).toBe(1);
      await keepsNothing(page); // the code left the address bar, the PKCE verifier left storage
      expect(new URL(page.url()).search).toBe('');
      // In memory only: a reload forgets it.
      await page.reload();
      await expect
        .poll(() => page.getByRole('button', { name: "Sign in with your organisation's account" }).isVisible())
        .toBe(true);
      expect(await page.getByText(s47.name).count()).toBe(0);
    } finally {
      await page.close();
      gateway.stop();
      await provider.close();
    }
  });

  it('is served with a strict Content-Security-Policy, and API answers are never cached', async () => {
    const site = await fetch(origin);
    expect(site.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(site.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
    const api = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    expect(api.headers.get('cache-control')).toBe('no-store');
  });
  it('shows a notification as it arrives, with the unread count, and marks it read', async () => {
    const onPlan = children.find(
      (c) => c.socialCare?.stage === 'CP_PLAN' && c.health && householdOf(c).la === householdOf(s47).la,
    )!;
    asked.push(onPlan.nhsNumber);
    const page = await signIn(lcpp);
    await page.getByRole('link', { name: 'Notifications' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Notifications', level: 1 }).isVisible()).toBe(true);
    const made = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'dev/dist/bin/event.js'), 'health', 'ae-attendance', onPlan.nhsNumber],
      {
        env: { ...process.env, DATA_DIR: stack.dataDir },
        encoding: 'utf8',
      },
    );
    expect(made.status).toBe(0);
    // Live: no reload, no click.
    await expect.poll(() => page.getByText(onPlan.nhsNumber).first().isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.getByText(/\(\d+ unread\)/).isVisible()).toBe(true);
    expect(
      await page.getByText('Child on a child protection plan attended unscheduled care (CP-IS)').first().isVisible(),
    ).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'notifications.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    const unread = await page.getByRole('button', { name: /Mark as read/ }).count();
    await page
      .getByRole('button', { name: /Mark as read/ })
      .first()
      .click();
    await expect.poll(() => page.getByRole('button', { name: /Mark as read/ }).count()).toBe(unread - 1);
    await keepsNothing(page);
    await page.close();
  });

  // Last: an approved change stays in force for the rest of this stack's life.
  it("lets health's IG lead see what a pending publication would make visible, and approve it", async () => {
    const widened = join(stack.dataDir, 'health-wider.yaml');
    writeFileSync(
      widened,
      readFileSync(join(REPO_ROOT, 'policies/agencies/health.yaml'), 'utf8').replace(
        'HealthRecord.householdMaternityConcerns: { class: SENSITIVE, household: true }',
        'HealthRecord.householdMaternityConcerns: { class: SAFEGUARDING, household: true }',
      ),
    );
    const published = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'gateway/dist/registry/cli.js'), 'publish', 'health', '--policy', widened],
      {
        env: { ...process.env, GATEWAY_URL: stack.gatewayUrl, DATA_DIR: stack.dataDir },
        encoding: 'utf8',
      },
    );
    expect(published.stdout).toMatch(/PENDING an IG lead/);
    const page = await signIn('ig-health');
    await expect
      .poll(() => page.getByRole('heading', { name: 'Schema changes waiting for approval' }).isVisible())
      .toBe(true);
    await expect.poll(() => page.getByText('HealthRecord.householdMaternityConcerns').isVisible()).toBe(true);
    expect(await page.getByText('Becomes visible').first().isVisible()).toBe(true);
    await page.getByRole('heading', { name: 'Schema changes waiting for approval' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'schema-changes.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.getByText(/Write a note of at least 10 characters/).isVisible()).toBe(true);
    await page
      .getByLabel('Decision note')
      .fill('Maternity concerns are needed for conference planning across the MACPT');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.getByText(/Approved: every gateway takes it into service/).isVisible()).toBe(true);
    expect(await page.getByText('None waiting.').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('lets a police officer named on a case record a decision not to share, checking the form first', async () => {
    const child = children.find(
      (c) =>
        c.sharingDecisions.length === 0 &&
        c.socialCare?.stage === 'SECTION_47' &&
        (c.police?.missingEpisodes.length ?? 0) > 0 &&
        c.socialCare.namedWorkers.some((w) => w.startsWith('police-')),
    )!;
    const officer = child.socialCare!.namedWorkers.find((w) => w.startsWith('police-'))!;
    const page = await signIn(officer);
    await find(page, child.nhsNumber, 'SECTION_47_ENQUIRY');
    await expect.poll(() => page.getByRole('heading', { name: 'Decisions not to share' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Record a decision not to share' }).click();
    await page.getByRole('button', { name: 'Record decision' }).click();
    const summary = page.locator('.govuk-error-summary');
    await expect.poll(() => summary.isVisible()).toBe(true);
    expect(await summary.getByRole('link').allInnerTexts()).toEqual([
      'Select the information the decision covers',
      'Select the reason for not sharing',
      'Enter a real review date, for example 27 3 2027',
    ]);
    await page.screenshot({ path: join(SHOTS, 'decision-form.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Missing episodes').check();
    await page.getByLabel('Sharing would prejudice a criminal investigation').check();
    const review = new Date(Date.now() + 30 * 86_400_000);
    await page.getByLabel('Day').fill(String(review.getUTCDate()));
    await page.getByLabel('Month').fill(String(review.getUTCMonth() + 1));
    await page.getByLabel('Year').fill(String(review.getUTCFullYear()));
    await page.getByRole('button', { name: 'Record decision' }).click();
    await expect.poll(() => page.getByText(/^Decision recorded:/).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: 'Withdraw' }).isVisible()).toBe(true);
    expect(await page.getByRole('table', { name: "police's decisions about this child" }).innerText()).toMatch(
      /prejudice a criminal investigation[\s\S]*Missing episodes/,
    );
    await page.screenshot({ path: join(SHOTS, 'decision-recorded.png'), fullPage: true });
    await page.close();

    // The LCPP sees that police decided (who, when, why), and the missing episodes withheld by that decision.
    const named = await signIn(child.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!);
    await find(named, child.nhsNumber, 'SECTION_47_ENQUIRY');
    await expect.poll(() => named.getByRole('heading', { name: 'Decisions not to share' }).isVisible()).toBe(true);
    expect(await named.getByText(/DECISION_NOT_TO_SHARE/).count()).toBeGreaterThan(0);
    expect(await named.getByRole('table', { name: /Other agencies have decided/ }).innerText()).toMatch(/police/);
    await named.getByRole('heading', { name: 'Decisions not to share' }).scrollIntoViewIfNeeded();
    await named.screenshot({ path: join(SHOTS, 'decision-seen-by-lcpp.png'), fullPage: true });
    expect(await accessibilityProblems(named)).toEqual([]);
    await named.close();
  });

  it("shows police's IG lead the decisions past their review date", async () => {
    const page = await signIn('ig-police');
    await expect
      .poll(() => page.getByRole('heading', { name: 'Decisions not to share, police' }).isVisible())
      .toBe(true);
    const overdue = children.flatMap((c) =>
      c.sharingDecisions.filter((d) => d.agency === 'police' && d.reviewBy < new Date().toISOString().slice(0, 10)),
    );
    await expect.poll(() => page.getByText(`${overdue.length} past their review date`).isVisible()).toBe(true);
    await page.getByRole('heading', { name: 'Decisions not to share, police' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'ig-decisions.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it("gives a partnership board its LA's figures as charts and tables, small numbers suppressed, and nothing else", async () => {
    const page = await signIn('board-leicester');
    await expect.poll(() => page.getByRole('heading', { name: 'Partnership figures' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Find a child' }).count()).toBe(0);
    await expect
      .poll(() =>
        page
          .getByRole('heading', { name: 'Strategy discussions, section 47 enquiries and initial conferences' })
          .isVisible(),
      )
      .toBe(true);
    const cells = await page.locator('td.govuk-table__cell--numeric').allInnerTexts();
    expect(cells.filter((c) => /^[1-4]$/.test(c.trim()))).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'partnership-figures.png'), fullPage: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    expect((await download).suggestedFilename()).toMatch(/^partnership-figures-leicester-.*\.csv$/);
    await page.close();
  });
});
