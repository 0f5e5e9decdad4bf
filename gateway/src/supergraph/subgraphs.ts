import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name under which the gateway's own in-process directory subgraph is composed. */
export const DIRECTORY_SUBGRAPH = 'directory';
/** The gateway's own in-process IG review subgraph. */
export const AUDIT_SUBGRAPH = 'audit';
/** The gateway's own in-process notifications inbox. */
export const NOTIFICATIONS_SUBGRAPH = 'notifications';
/** The gateway's own in-process decisions-not-to-share service (the agencies keep the decisions). */
export const SHARING_SUBGRAPH = 'sharing';
/** The gateway's own in-process partnership figures (aggregates only). */
export const FIGURES_SUBGRAPH = 'figures';
/** The gateway's own in-process chronology (kinds; the timeline is assembled from the agencies' fields). */
export const CHRONOLOGY_SUBGRAPH = 'chronology';
/** Subgraphs the gateway serves itself: no agency data, no sharing policy file. */
export const GATEWAY_SUBGRAPHS: readonly string[] = [
  DIRECTORY_SUBGRAPH,
  AUDIT_SUBGRAPH,
  NOTIFICATIONS_SUBGRAPH,
  SHARING_SUBGRAPH,
  FIGURES_SUBGRAPH,
  CHRONOLOGY_SUBGRAPH,
];

/** One subgraph of the supergraph: where its schema is and where it listens by default. */
export interface SubgraphManifest {
  name: string;
  schemaFile: string;
  url: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The agency subgraphs, discovered from `subgraphs/<agency>/package.json` (`macpt.defaultPort`),
 * plus the gateway's directory. Adding an agency is adding a folder: the gateway needs no change.
 */
export function discoverSubgraphs(root = REPO_ROOT): SubgraphManifest[] {
  const dir = join(root, 'subgraphs');
  const agencies = readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'schema.graphql')))
    .sort()
    .map((name): SubgraphManifest => {
      const pkg = JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as {
        macpt?: { defaultPort?: number };
      };
      const port = pkg.macpt?.defaultPort;
      if (!Number.isInteger(port))
        throw new Error(`subgraphs/${name}/package.json needs "macpt": { "defaultPort": <port> }`);
      return { name, schemaFile: join(dir, name, 'schema.graphql'), url: `http://127.0.0.1:${port}/graphql` };
    });
  return [
    {
      name: AUDIT_SUBGRAPH,
      schemaFile: join(root, 'gateway', 'src', 'audit', 'schema.graphql'),
      url: 'http://in-process.invalid/audit',
    },
    {
      name: NOTIFICATIONS_SUBGRAPH,
      schemaFile: join(root, 'gateway', 'src', 'notifications', 'schema.graphql'),
      url: 'http://in-process.invalid/notifications',
    },
    {
      name: SHARING_SUBGRAPH,
      schemaFile: join(root, 'gateway', 'src', 'sharing', 'schema.graphql'),
      url: 'http://in-process.invalid/sharing',
    },
    {
      name: FIGURES_SUBGRAPH,
      schemaFile: join(root, 'gateway', 'src', 'figures', 'schema.graphql'),
      url: 'http://in-process.invalid/figures',
    },
    {
      name: CHRONOLOGY_SUBGRAPH,
      schemaFile: join(root, 'gateway', 'src', 'chronology', 'schema.graphql'),
      url: 'http://in-process.invalid/chronology',
    },
    {
      name: DIRECTORY_SUBGRAPH,
      schemaFile: join(root, 'gateway', 'src', 'directory', 'schema.graphql'),
      url: 'http://in-process.invalid/graphql',
    },
    ...agencies,
  ];
}
