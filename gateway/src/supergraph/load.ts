import { readFileSync } from 'node:fs';
import { GATEWAY_SUBGRAPHS } from './subgraphs.js';

/** The composed supergraph and the agency subgraphs it names, with their URLs. */
export interface LoadedSupergraph {
  sdl: string;
  /** Agency name → URL (the in-process directory excluded), after env overrides. */
  agencies: Record<string, string>;
}

/** Reads the supergraph composed at build time; fails with a clear message when it is missing. */
export function loadSupergraph(file: string, urlOverrides: Record<string, string>): LoadedSupergraph {
  let sdl: string;
  try {
    sdl = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`No supergraph at ${file}: run \`npm run build\` first (it composes the subgraph schemas).`);
  }
  return supergraphFromSdl(sdl, urlOverrides);
}

/** The agencies a supergraph names, with their URLs after env overrides. */
export function supergraphFromSdl(sdl: string, urlOverrides: Record<string, string>): LoadedSupergraph {
  const agencies: Record<string, string> = {};
  for (const match of sdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)) {
    const [, name, url] = match as unknown as [string, string, string];
    if (!GATEWAY_SUBGRAPHS.includes(name)) agencies[name] = urlOverrides[name] ?? url;
  }
  return { sdl, agencies };
}
