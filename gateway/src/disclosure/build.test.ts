import { describe, expect, it } from 'vitest';
import { PolicyEngine } from '@macpt/policies';
import type { DisclosureSummary } from '../policy/enforce.js';
import { childDisclosures } from './build.js';
import { ChildLedger } from './ledger.js';

const engine = new PolicyEngine();

describe("a record's children", () => {
  it('lists each child in NHS-number order, its fields sorted per agency, its withheld fields by coordinate', () => {
    // As the final check meets them: in the order the query asks, not sorted.
    const summary: DisclosureSummary = {
      disclosed: new Map([
        ['9990000026', new Map([['health', new Set(['HealthRecord.gp', 'Child.health', 'HealthRecord.allergies'])]])],
        [
          '9990000018',
          new Map([
            ['education', new Set(['EducationRecord.school', 'EducationRecord.attendance', 'Child.education'])],
            ['health', new Set(['HealthRecord.gp'])],
          ]),
        ],
      ]),
      withheld: new Map([
        [
          '9990000018',
          new Map([
            ['PoliceRecord.incidents', { agency: 'police', rule: 'NOT_MACPT', class: 'POLICE' }],
            ['HealthRecord.address', { agency: 'health', rule: 'CONFIDENTIAL_LOCATION', class: 'LOCATION' }],
            ['Child.police', { agency: 'police', rule: 'NOT_MACPT', class: 'POLICE' }],
          ]),
        ],
      ]),
      caught: [],
    };
    const ledger = new ChildLedger();
    const children = childDisclosures(summary, ledger, engine);
    expect(children.map((c) => c.nhsNumber)).toEqual(['9990000018', '9990000026']);
    expect(children[0]!.disclosed).toEqual({
      education: ['Child.education', 'EducationRecord.attendance', 'EducationRecord.school'],
      health: ['HealthRecord.gp'],
    });
    expect(children[0]!.withheld.map((w) => w.field)).toEqual([
      'Child.police',
      'HealthRecord.address',
      'PoliceRecord.incidents',
    ]);
    expect(children[1]!.disclosed).toEqual({
      health: ['Child.health', 'HealthRecord.allergies', 'HealthRecord.gp'],
    });
  });

  it('gives what the gateway told about one child to that child alone, though others were disclosed alike', () => {
    const alike = () => new Map([['health', new Set(['Child.health', 'HealthRecord.gp'])]]);
    const summary: DisclosureSummary = {
      disclosed: new Map([
        ['9990000018', alike()],
        ['9990000026', alike()],
        ['9990000034', alike()],
      ]),
      withheld: new Map(),
      caught: [],
    };
    const ledger = new ChildLedger();
    ledger.tell('9990000026', 'social-care', ['AccessExplanation.relationship']);
    const children = childDisclosures(summary, ledger, engine);
    expect(children.map((c) => Object.keys(c.disclosed))).toEqual([['health'], ['health', 'social-care'], ['health']]);
    expect(children[1]!.disclosed['social-care']).toEqual(['AccessExplanation.relationship']);
    expect(Object.keys(children[1]!.lawfulBasis)).toEqual(['health', 'social-care']);
    expect(Object.keys(children[2]!.lawfulBasis)).toEqual(['health']);
  });

  it('orders fields by code unit and withheld fields as before (locale order), however many', () => {
    const many = Array.from({ length: 40 }, (_, i) => `EducationRecord.f${String(39 - i).padStart(2, '0')}`);
    const summary: DisclosureSummary = {
      disclosed: new Map([
        ['9990000018', new Map([['education', new Set(['EducationRecord.school', 'EducationRecord.SENStatus'])]])],
        ['9990000026', new Map([['education', new Set(many)]])],
      ]),
      withheld: new Map([
        [
          '9990000018',
          new Map([
            ['EducationRecord.SENStatus', { agency: 'education', rule: 'R', class: 'SENSITIVE' }],
            ['EducationRecord.school', { agency: 'education', rule: 'R', class: 'EDUCATION' }],
          ]),
        ],
      ]),
      caught: [],
    };
    const ledger = new ChildLedger();
    ledger.admit('9990000034');
    const [first, second, admitted] = childDisclosures(summary, ledger, engine);
    // Code units put capitals first; the locale does not.
    expect(first!.disclosed.education).toEqual(['EducationRecord.SENStatus', 'EducationRecord.school']);
    expect(first!.withheld.map((w) => w.field)).toEqual(['EducationRecord.school', 'EducationRecord.SENStatus']);
    expect(second!.disclosed.education).toEqual([...many].reverse());
    // A child let in and told nothing else: its existence is what was disclosed.
    expect(admitted).toMatchObject({ nhsNumber: '9990000034', disclosed: { gateway: ['Child.nhsNumber'] } });
  });
});
