import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '@macpt/dev';
import { POLICIES } from '@macpt/policies';
import { describe, expect, it } from 'vitest';

// Dependencies point one way: apps (the gateway, the agencies, the dev launcher) depend on packages,
// never the reverse, and nothing a gateway or an agency runs reaches the synthetic generator or dev/.
// Checked on the source: every import, followed through the workspaces' package exports.

const workspaces = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] })
  .workspaces;
const packages = new Map(
  workspaces.map((dir) => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as {
      name: string;
      exports?: Record<string, string>;
    };
    return [pkg.name, { dir: join(REPO_ROOT, dir), exports: pkg.exports ?? { '.': './dist/index.js' } }];
  }),
);
const APPS = [
  '@macpt/gateway',
  '@macpt/dev',
  '@macpt/social-care',
  '@macpt/health',
  '@macpt/police',
  '@macpt/education',
  '@macpt/family-help',
  '@macpt/e2e',
  '@macpt/bench',
];

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  );

/** The source file an import names, or null for one outside the repository (node:, npm packages). */
function resolveImport(from: string, specifier: string): string | null {
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier.replace(/\.js$/, '.ts'));
  const name = specifier.split('/').slice(0, 2).join('/');
  const pkg = packages.get(name);
  if (!pkg) return null;
  const sub = `.${specifier.slice(name.length)}`;
  const target = pkg.exports[sub === '.' ? '.' : sub];
  if (!target) throw new Error(`${relative(REPO_ROOT, from)} imports ${specifier}, which ${name} does not export`);
  return join(pkg.dir, target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
}

/** Every source file `entry` reaches, through relative and workspace imports. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    for (const specifier of importsOf(file)) {
      const next = resolveImport(file, specifier);
      if (next) walk(next);
    }
  };
  walk(entry);
  return seen;
}

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? sources(join(dir, d.name))
      : d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') && d.name !== 'testkit.ts'
        ? [join(dir, d.name)]
        : [],
  );

describe('dependencies point one way', () => {
  const runtimes = [
    'gateway/src/main.ts',
    ...readdirSync(join(REPO_ROOT, 'subgraphs')).map((a) => `subgraphs/${a}/src/main.ts`),
  ];

  it.each(runtimes)('%s reaches neither the synthetic generator nor the dev launcher', (entry) => {
    const files = [...reachable(join(REPO_ROOT, entry))].map((f) => relative(REPO_ROOT, f));
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => f.startsWith('packages/synthetic/') || f.startsWith('dev/'))).toEqual([]);
  });

  it('no package imports an app, and kit imports no other package of ours', () => {
    const wrong: string[] = [];
    for (const [name, pkg] of packages) {
      if (APPS.includes(name)) continue;
      for (const file of sources(join(pkg.dir, 'src'))) {
        for (const specifier of importsOf(file)) {
          const target = specifier.split('/').slice(0, 2).join('/');
          if (APPS.includes(target) || (name === '@macpt/kit' && target.startsWith('@macpt/')))
            wrong.push(`${relative(REPO_ROOT, file)} imports ${specifier}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('sees a violation when there is one', () => {
    // The walk itself must work: the dev launcher does reach the generator.
    expect([...reachable(join(REPO_ROOT, 'dev/src/bin/start.ts'))].some((f) => f.includes('packages/synthetic/'))).toBe(
      true,
    );
  });
});

describe('sharing decisions are made in policies/ only', () => {
  // A role, purpose or relationship compared in code outside policies/ is a sharing decision made where
  // the design cannot see it (DESIGN section 5; issue 25): code elsewhere asks the engine.
  const WORDS = [
    'LCPP',
    'SOCIAL_WORKER',
    'MACPT_POLICE',
    'MACPT_HEALTH',
    'MACPT_EDUCATION',
    'SCHOOL_DSL',
    'IG_LEAD',
    'PARTNERSHIP_BOARD',
    'STRATEGY_DISCUSSION',
    'SECTION_47_ENQUIRY',
    'CHILD_PROTECTION_CONFERENCE',
    'CP_PLAN_REVIEW',
    'MASH_TRIAGE',
    'EMERGENCY',
    'IG_AUDIT',
    'NAMED',
    'TEAM',
    'DSL_ON_ROLL',
    // Case stages, and the notification rules' conditions on them.
    'REFERRAL',
    'SECTION_47',
    'CONFERENCE',
    'CP_PLAN',
    'child-on-cp-plan',
    'child-present',
  ].join('|');
  const DECIDING = new RegExp(
    `(?:[!=]==\\s*'(?:${WORDS})'|'(?:${WORDS})'\\s*[!=]==|case\\s+'(?:${WORDS})'|includes\\(\\s*'(?:${WORDS})'\\s*\\))`,
  );
  const places = [
    'gateway/src',
    'packages/subgraph-kit/src',
    'packages/contract/src',
    ...readdirSync(join(REPO_ROOT, 'subgraphs')).map((a) => `subgraphs/${a}/src`),
  ];

  const deciding = (files: string[]) =>
    files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line: line.replace(/\/\/.*$/, ''), at: `${relative(REPO_ROOT, file)}:${i + 1}` }))
        .filter(({ line }) => DECIDING.test(line))
        .map(({ line, at }) => `${at}: ${line.trim()}`),
    );

  it('no role, purpose, relationship or case-stage literal decides access outside policies/', () => {
    expect(deciding(places.flatMap((p) => sources(join(REPO_ROOT, p))))).toEqual([]);
  });

  it('sees a violation when there is one', () => {
    expect(DECIDING.test(`if (ctx.user.role !== 'LCPP') throw refused();`)).toBe(true);
    expect(DECIDING.test(`purposes.includes('IG_AUDIT')`)).toBe(true);
    expect(DECIDING.test(`if (facts.openCase?.stage !== 'CP_PLAN') continue;`)).toBe(true);
    expect(DECIDING.test(`rule.when === 'child-present'`)).toBe(true);
  });
});

describe('no agency is named in the gateway or the console (DESIGN section 10)', () => {
  // A partner joins by publishing its subgraph and policy: the gateway and the console read the agencies,
  // their records and their roles from the registry and policies/, so none of the agencies' names, fields on
  // Child or record types may appear in their code (comments aside).
  const names = POLICIES.flatMap((p) => [
    p.agency,
    ...Object.keys(p.fields)
      .filter((c) => c.startsWith('Child.') && c !== 'Child.nhsNumber')
      .map((c) => c.slice('Child.'.length)),
  ]);
  const types = [...new Set(POLICIES.flatMap((p) => Object.keys(p.fields).map((c) => c.split('.')[0]!)))].filter(
    (t) => t !== 'Child',
  );
  const NAMING = new RegExp(
    String.raw`(?:['"\x60](?:${names.join('|')})['"\x60]|\.(?:${names.join('|')})\b|\b(?:${types.join('|')})\b)`,
  );
  const code = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, i) => ({ line: line.replace(/\/\/.*$/, ''), at: `${relative(REPO_ROOT, file)}:${i + 1}` }))
      .filter(({ line }) => !/^\s*(\*|\/\*\*)/.test(line) && NAMING.test(line))
      .map(({ line, at }) => `${at}: ${line.trim()}`);
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory()
        ? d.name === 'generated'
          ? []
          : files(join(dir, d.name))
        : /\.tsx?$/.test(d.name) && !/\.test\.tsx?$/.test(d.name)
          ? [join(dir, d.name)]
          : [],
    );

  it('names none in gateway/src or console/src', () => {
    expect(names.length).toBeGreaterThan(4);
    expect([...files(join(REPO_ROOT, 'gateway/src')), ...files(join(REPO_ROOT, 'console/src'))].flatMap(code)).toEqual(
      [],
    );
  });

  it('sees a violation when there is one', () => {
    expect(NAMING.test(`if (agency === 'social-care') sources.add('social care');`)).toBe(true);
    expect(NAMING.test(`name: c.child?.socialCare?.name`)).toBe(true);
    expect(NAMING.test(`police: ['police', 'PoliceRecord'],`)).toBe(true);
    expect(NAMING.test(`'/health': async () => ({`)).toBe(false);
  });
});
