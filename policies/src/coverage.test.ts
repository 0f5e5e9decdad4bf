import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coverageProblems } from './coverage.js';
import { POLICIES } from './engine.js';

const schemaOf = (agency: string) =>
  readFileSync(new URL(`../../subgraphs/${agency}/schema.graphql`, import.meta.url), 'utf8');

describe('policy coverage', () => {
  it.each(POLICIES.map((p) => [p.agency, p] as const))(
    'classifies every field %s publishes, and nothing else',
    (agency, policy) => {
      expect(coverageProblems(policy, schemaOf(agency))).toEqual([]);
    },
  );

  it('names an unclassified field and a stale entry', () => {
    const health = POLICIES.find((p) => p.agency === 'health')!;
    const sdl = `${schemaOf('health')}\nextend type HealthRecord { bloodGroup: String }`;
    const { 'HealthRecord.sex': _dropped, ...fields } = health.fields;
    const stale = { ...health, fields: { ...fields, 'HealthRecord.shoeSize': { class: 'IDENTITY' as const } } };
    expect(coverageProblems(stale, sdl)).toEqual([
      'health: HealthRecord.sex has no class in policies/agencies/health.yaml',
      'health: HealthRecord.bloodGroup has no class in policies/agencies/health.yaml',
      'health: policies/agencies/health.yaml classifies HealthRecord.shoeSize, which the health schema no longer publishes',
    ]);
  });

  it('names a chronology source that does not lead to fields the agency classifies', () => {
    const police = POLICIES.find((p) => p.agency === 'police')!;
    const wrong = {
      ...police,
      chronology: [
        { kind: 'A', label: 'a', path: ['police', 'arrests'], date: 'date', detail: [] },
        { kind: 'B', label: 'b', path: ['health', 'aeAttendances'], date: 'date', detail: [] },
        { kind: 'C', label: 'c', path: ['police', 'incidents'], date: 'when', detail: ['summary', 'weapon'] },
      ],
    };
    expect(coverageProblems(wrong, schemaOf('police'))).toEqual([
      'police: policies/agencies/police.yaml chronology A: PoliceRecord.arrests is not a field this agency publishes and classifies',
      'police: policies/agencies/police.yaml chronology B: Child.health is not a field this agency publishes and classifies',
      'police: policies/agencies/police.yaml chronology C: PoliceIncident.when is not a field this agency publishes and classifies',
      'police: policies/agencies/police.yaml chronology C: PoliceIncident.weapon is not a field this agency publishes and classifies',
    ]);
  });
});
