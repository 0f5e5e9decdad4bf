import { isNhsNumber } from '@macpt/kit';
import { describe, expect, it } from 'vitest';
import { generateWorld, MAX_CHILDREN, nhsNumbers } from './generate.js';
import type { Child, Household } from './types.js';

const world = { seed: 1, children: 10_000, asOf: '2026-11-01' };
const households: Household[] = [...generateWorld(world)];
const children: Child[] = households.flatMap((h) => h.children);
const share = (pick: (c: Child) => unknown) => children.filter(pick).length / children.length;

describe('synthetic world', () => {
  it('makes exactly the number of children asked for', () => {
    expect(children).toHaveLength(10_000);
  });

  it('is deterministic for a seed and different for another', () => {
    const again = [...generateWorld(world)];
    expect(again).toEqual(households);
    const other = generateWorld({ ...world, seed: 2 }).next().value as Household;
    expect(other).not.toEqual(households[0]);
  });

  it('uses unique NHS numbers from the test range with valid check digits', () => {
    const numbers = children.map((c) => c.nhsNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const n of numbers) {
      expect(isNhsNumber(n)).toBe(true);
      expect(Number(n)).toBeGreaterThanOrEqual(9_990_000_000);
    }
  });

  it('has realistic proportions: everyone in health, most of school age in education, a minority known to police', () => {
    expect(share((c) => c.health)).toBe(1);
    expect(share((c) => c.education)).toBeGreaterThan(0.6);
    expect(share((c) => c.education)).toBeLessThan(0.8);
    expect(share((c) => c.police)).toBeLessThan(0.15);
    expect(share((c) => c.police)).toBeGreaterThan(0.02);
  });

  it('gives a few hundred per 10,000 an open case, across every stage', () => {
    const open = children.filter((c) => c.socialCare?.caseId);
    expect(open.length).toBeGreaterThan(200);
    expect(open.length).toBeLessThan(700);
    expect(new Set(open.map((c) => c.socialCare?.stage))).toEqual(
      new Set(['REFERRAL', 'STRATEGY_DISCUSSION', 'SECTION_47', 'CONFERENCE', 'CP_PLAN']),
    );
    expect(open.filter((c) => c.socialCare?.cpPlan).length).toBeGreaterThan(30);
  });

  it('places households in all three LAs with adults, and seeds confidential locations from each kind of flag', () => {
    expect(new Set(households.map((h) => h.la))).toEqual(new Set(['LEICESTER', 'LEICESTERSHIRE', 'RUTLAND']));
    expect(households.every((h) => h.adults.length >= 1)).toBe(true);
    expect(new Set(households.map((h) => h.confidentialBy).filter(Boolean))).toEqual(
      new Set(['police', 'health', 'social-care']),
    );
  });

  it('seeds police intelligence under handling codes other than P, and confidential sexual-health contacts', () => {
    const codes = new Set(children.flatMap((c) => c.police?.intelligence.map((i) => i.handlingCode) ?? []));
    expect(codes).toEqual(new Set(['P', 'C', 'H']));
    expect(children.some((c) => c.health.sexualHealth.some((s) => s.confidential))).toBe(true);
  });

  it('knows how many valid NHS numbers the test range holds, and refuses a larger world', () => {
    let count = 0;
    for (const _ of nhsNumbers()) count++;
    expect(count).toBe(MAX_CHILDREN);
    expect(() => generateWorld({ ...world, children: MAX_CHILDREN + 1 }).next()).toThrow(/at most|from 1 to 909091/);
  });
});
