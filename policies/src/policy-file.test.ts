import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLICIES, policyFileOf } from './engine.js';
import { parseAgencyPolicy, PolicyFileError } from './policy-file.js';

const health = readFileSync(policyFileOf('health'), 'utf8');
const problemsOf = (text: string) => {
  try {
    parseAgencyPolicy(text, 'health.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyFileError);
    return (error as Error).message.split('\n').slice(1);
  }
  throw new Error('expected the policy file to be refused');
};
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('an agency policy file', () => {
  it('compiles to the policy the engine takes: a class string is shorthand for { class }', () => {
    const policy = parseAgencyPolicy(health, 'health.yaml');
    expect(policy.agency).toBe('health');
    expect(policy.fields['HealthRecord.camhs']).toEqual({ class: 'SENSITIVE' });
    expect(policy.fields['HealthRecord.address']).toEqual({ class: 'IDENTITY', location: true });
    expect(policy.sensitiveRoles).toEqual(['MACPT_HEALTH']);
    expect(POLICIES.map((p) => p.agency)).toEqual(['social-care', 'health', 'police', 'education', 'family-help']);
  });

  it('names the line and column of a class that does not exist', () => {
    const text = health.replace('HealthRecord.camhs: SENSITIVE', 'HealthRecord.camhs: SECRET');
    const [problem, ...rest] = problemsOf(text);
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      new RegExp(`^  health\\.yaml:${lineOf(text, 'camhs: SECRET')}:23: fields › HealthRecord\\.camhs: `),
    );
  });

  it('names an unknown key, a role that does not exist and a key that is not Type.field, each at its line', () => {
    const text = health
      .replace('sensitiveRoles: [MACPT_HEALTH]', 'sensitiveRoles: [MACPT_HEALTH, NURSE]')
      .replace('fields:', 'shareEverything: true\nfields:')
      .replace('HealthRecord.sexualHealth: SENSITIVE', 'sexualHealth: SENSITIVE');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toContain(`health.yaml:${lineOf(text, 'NURSE')}:`);
    expect(problems.join('\n')).toMatch(
      new RegExp(`health\\.yaml:${lineOf(text, 'shareEverything')}:1: .*shareEverything`),
    );
    expect(problems.join('\n')).toMatch(
      new RegExp(`health\\.yaml:${lineOf(text, '  sexualHealth:')}:3: fields .*expected Type\\.field`),
    );
  });

  it('reports YAML that does not parse, and a field listed twice, with their lines', () => {
    expect(problemsOf('agency: health\nfields: [unclosed\n')[0]).toMatch(/^ {2}health\.yaml:\d+:\d+: /);
    const twice = health.replace(
      'HealthRecord.camhs: SENSITIVE',
      'HealthRecord.camhs: SENSITIVE\n  HealthRecord.camhs: IDENTITY',
    );
    expect(problemsOf(twice)[0]).toMatch(
      new RegExp(`health\\.yaml:${lineOf(twice, 'camhs: IDENTITY')}:3: .*[Mm]ap keys must be unique`),
    );
  });

  it('refuses a policy that names no lawful basis or another agency', () => {
    expect(problemsOf(health.replace('agency: health', 'agency: probation'))[0]).toMatch(/agency: Invalid option/);
    const noBasis = health.replace(/lawfulBasis: >-\n {2}.*\n/, '');
    expect(problemsOf(noBasis)[0]).toMatch(/lawfulBasis: /);
  });
});
