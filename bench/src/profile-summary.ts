import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const short = (url: string) =>
  url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/.*?\/(gateway|packages|policies|subgraphs)\//, '$1/');

/** The hottest functions (self time, share of busy time) and packages of one V8 CPU profile, as printable lines. */
export function summariseProfile(file: string, top = 15): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const timeOf = new Map<number, number>();
  profile.samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue; // busy time only
    const t = timeOf.get(node.id) ?? 0;
    total += t;
    const where = short(url);
    const fn = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
    const pkg = where.startsWith('@') ? where.split('/').slice(0, 2).join('/') : where.split('/')[0] || functionName;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, t]) => `    ${pct(t)}  ${k}`);
  return [
    `  ${file} (${(total / 1e6).toFixed(1)} s busy)`,
    '   self time by function:',
    ...rank(byFunction),
    '   self time by package:',
    ...rank(byPackage),
  ];
}

/** Summaries of every profile in `dir`. */
export function summariseProfiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && !f.includes('seed'))
    .sort()
    .flatMap((f) => summariseProfile(join(dir, f)));
}
