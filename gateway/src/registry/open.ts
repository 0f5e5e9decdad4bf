import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { POLICIES } from '@macpt/policies';
import { discoverSubgraphs, GATEWAY_SUBGRAPHS } from '../supergraph/subgraphs.js';
import type { AgencySubgraph, Operation, OwnSubgraph } from './checks.js';
import { FileRegistryStore, RedisRegistryStore, type RegistryStore } from './store.js';

const OPERATIONS_DIR = fileURLToPath(new URL('../../operations', import.meta.url));

/** The registry's store: Redis when the gateway has one (every gateway shares it), else a file under DATA_DIR. */
export function openRegistryStore(config: { REDIS_URL?: string | undefined; DATA_DIR: string }): RegistryStore {
  return config.REDIS_URL
    ? new RedisRegistryStore(config.REDIS_URL)
    : new FileRegistryStore(join(config.DATA_DIR, 'registry', 'events.jsonl'));
}

/**
 * What the registry composes with and checks against, from this deployment: the gateway's own
 * subgraphs, each agency's bundled subgraph (in force until the agency first publishes), and the
 * registered trusted documents.
 */
export function deploymentSubgraphs(): {
  own: OwnSubgraph[];
  bundled: AgencySubgraph[];
  operations: Operation[];
} {
  const manifests = discoverSubgraphs();
  const own = manifests
    .filter((m) => GATEWAY_SUBGRAPHS.includes(m.name))
    .map((m) => ({ name: m.name, url: m.url, sdl: readFileSync(m.schemaFile, 'utf8') }));
  const bundled = manifests
    .filter((m) => !GATEWAY_SUBGRAPHS.includes(m.name))
    .map((m) => {
      const policy = POLICIES.find((p) => p.agency === m.name);
      if (!policy) throw new Error(`${m.name}: no sharing policy in policies/agencies/ for this subgraph`);
      return { agency: m.name, url: m.url, sdl: readFileSync(m.schemaFile, 'utf8'), policy };
    });
  const operations = readdirSync(OPERATIONS_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(OPERATIONS_DIR, file), 'utf8') }));
  return { own, bundled, operations };
}
