import { describe, expect, it } from 'vitest';
import { subgraphConfig } from './subgraph-main.js';

describe('subgraph configuration', () => {
  it('refuses to serve unchecked outside a benchmark', () => {
    expect(() => subgraphConfig('health', 4002, { POLICY_ENFORCEMENT: 'off' })).toThrow(
      /benchmarks only and needs NODE_ENV=benchmark/,
    );
    expect(
      subgraphConfig('health', 4002, { POLICY_ENFORCEMENT: 'off', NODE_ENV: 'benchmark' }).POLICY_ENFORCEMENT,
    ).toBe('off');
  });

  it('takes the agency port override before PORT', () => {
    expect(subgraphConfig('social-care', 4001, { SOCIAL_CARE_PORT: '5001', PORT: '6000' }).PORT).toBe(5001);
    expect(subgraphConfig('social-care', 4001, {}).PORT).toBe(4001);
  });
});
