import { buildSchema, Kind, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { assembleChronology } from './assemble.js';
import { ChronologyInputError, expandChronology, placeSources } from './expand.js';

const schema = buildSchema(`
  scalar Date
  type Query { child(nhsNumber: ID!): Child }
  type Child {
    nhsNumber: ID!
    police: PoliceRecord
    chronology(since: Date, until: Date, agencies: [String!], kinds: [String!]): Chronology!
  }
  type PoliceRecord { incidents: [PoliceIncident] missingEpisodes: [MissingEpisode] }
  type PoliceIncident { date: String kind: String location: String }
  type MissingEpisode { reportedOn: String durationHours: Int }
  type Chronology { entries: [ChronologyEntry!]! withheld: [ChronologyNotice!]! }
  type ChronologyEntry { date: Date! agency: String! kind: String! title: String! detail: String }
  type ChronologyNotice { agency: String! kind: String! field: String! code: String! rule: String message: String! }
`);
const sources = placeSources(schema, [
  {
    agency: 'police',
    kind: 'INCIDENT',
    label: 'Police incident',
    path: ['police', 'incidents'],
    date: 'date',
    detail: ['kind', 'location'],
  },
  {
    agency: 'police',
    kind: 'MISSING',
    label: 'Missing',
    path: ['police', 'missingEpisodes'],
    date: 'reportedOn',
    detail: ['durationHours'],
  },
  // Not in this graph: left out, never asked.
  { agency: 'probation', kind: 'ORDER', label: 'Order', path: ['probation', 'orders'], date: 'date', detail: [] },
]);

describe('expanding a chronology into the fields it reads', () => {
  it('asks for each kind’s date and detail fields under a hidden alias, in fragments too, and nothing for kinds filtered out', () => {
    const document = parse(`
      query($n: ID!, $k: [String!]) { child(nhsNumber: $n) { ...C } }
      fragment C on Child { nhsNumber timeline: chronology(kinds: $k) { entries { date } } }`);
    const expanded = expandChronology(schema, document, { n: '9990000018', k: ['MISSING'] }, sources)!;
    expect(print(expanded.document)).toContain(
      'fragment C on Child {\n  nhsNumber\n  _macptChron0_0: police {\n    missingEpisodes {\n      reportedOn\n      durationHours\n    }\n  }\n}',
    );
    expect(expanded.sites).toMatchObject([{ key: 'timeline', since: null, until: null }]);
    expect(expanded.signature).toBe('police:MISSING');
    expect(expandChronology(schema, parse('{ child(nhsNumber: "1") { nhsNumber } }'), {}, sources)).toBeNull();
  });

  it('refuses a bad date, an unknown agency or kind, and the gateway’s own aliases', () => {
    const ask = (args: string) =>
      expandChronology(
        schema,
        parse(`{ child(nhsNumber: "1") { chronology${args} { entries { date } } } }`),
        {},
        sources,
      );
    expect(() => ask('(since: "2024-02-30")')).toThrow(ChronologyInputError);
    expect(() => ask('(agencies: ["probation"])')).toThrow(
      /no agency "probation" puts events on the chronology; the agencies are police\./,
    );
    expect(() => ask('(kinds: ["ORDER"])')).toThrow(/no kind "ORDER"; the kinds are INCIDENT, MISSING/);
    expect(() =>
      expandChronology(schema, parse('{ child(nhsNumber: "1") { _macptNhs: nhsNumber } }'), {}, sources),
    ).toThrow(/reserved/);
  });
});

describe('assembling a chronology from the decided fields', () => {
  const document = parse(
    `{ child(nhsNumber: "1") { chronology(since: "2024-01-01") { entries { date kind title detail } withheld { kind field rule } } } }`,
  );
  const expanded = expandChronology(schema, document, {}, sources)!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );

  it('makes entries newest first from what was let through, in the dates asked, and a notice per withheld field', () => {
    const data = {
      child: {
        _macptChron0_0: {
          incidents: [
            { date: '2024-03-01', kind: 'THEFT', location: null },
            { date: '2023-12-31', kind: 'ASSAULT', location: null },
            { date: '2024-05-01', kind: 'ASSAULT', location: null },
          ],
        },
        _macptChron0_1: { missingEpisodes: [{ reportedOn: null, durationHours: 4 }] },
      },
    };
    const withheld = (path: (string | number)[], field: string) => ({
      message: `Withheld: ${field}`,
      path,
      extensions: { code: 'FORBIDDEN_BY_POLICY', rule: 'CONFIDENTIAL_LOCATION', agency: 'police' },
    });
    const out = assembleChronology(schema, expanded.sites, fragments, {}, data, [
      withheld(['child', '_macptChron0_0', 'incidents', 0, 'location'], 'a'),
      withheld(['child', '_macptChron0_0', 'incidents', 1, 'location'], 'b'),
      withheld(['child', '_macptChron0_0', 'incidents', 2, 'location'], 'c'),
      { message: 'elsewhere', path: ['child', 'nhsNumber'] },
    ]);
    expect(out.data).toEqual({
      child: {
        chronology: {
          entries: [
            { date: '2024-05-01', kind: 'INCIDENT', title: 'Police incident', detail: 'ASSAULT' },
            { date: '2024-03-01', kind: 'INCIDENT', title: 'Police incident', detail: 'THEFT' },
          ],
          withheld: [{ kind: 'INCIDENT', field: 'PoliceIncident.location', rule: 'CONFIDENTIAL_LOCATION' }],
        },
      },
    });
    // One error for the withheld field, at the chronology, naming it; the other error left as it was.
    expect(out.errors.map((e) => [e.path, e.extensions?.field])).toEqual([
      [['child', 'chronology'], 'PoliceIncident.location'],
      [['child', 'nhsNumber'], undefined],
    ]);
  });
});
