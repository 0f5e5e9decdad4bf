import { createHash } from 'node:crypto';
import type { Logger } from '@macpt/kit';
import type { PolicyEngine } from '@macpt/policies';
import type { SchemaRegistry } from './service.js';
import type { RegistryStore } from './store.js';

/** What the gateway serves now: the supergraph's hash, and when it was loaded. */
export interface Served {
  supergraphHash: string;
  loadedAt: string;
  /** Registry events the served supergraph reflects. */
  registryLength: number;
}

export const hashOf = (sdl: string) => createHash('sha256').update(sdl).digest('hex');

/**
 * Watches the registry and swaps in what is in force: the agencies' policies first (a field the old
 * schema still plans is then decided by the new policy, or withheld as unclassified), then the
 * supergraph. A composition that fails never replaces the running one: the gateway keeps serving and
 * says why. Requests in flight finish on the schema they were planned with.
 */
export function watchRegistry(deps: {
  registry: SchemaRegistry;
  store: RegistryStore;
  engine: PolicyEngine;
  served: Served;
  update: () => ((supergraphSdl: string) => void) | undefined;
  intervalMs: number;
  logger: Logger;
}): { stop: () => void; poll: () => Promise<void> } {
  let running = false;
  let failedAt = -1;
  const poll = async () => {
    if (running) return;
    running = true;
    try {
      const length = await deps.store.length();
      if (length === deps.served.registryLength || length === failedAt) return;
      const state = await deps.registry.state();
      const composed = await deps.registry.composeInForce(state);
      if ('errors' in composed) {
        failedAt = state.length;
        deps.logger.error(
          { errors: composed.errors, registryLength: state.length },
          'the registry holds a supergraph that does not compose: the running one stays',
        );
        return;
      }
      const update = deps.update();
      if (!update) return;
      const hash = hashOf(composed.supergraphSdl);
      deps.engine.replace(deps.registry.inForce(state).map((a) => a.policy));
      if (hash !== deps.served.supergraphHash) update(composed.supergraphSdl);
      Object.assign(deps.served, {
        supergraphHash: hash,
        loadedAt: new Date().toISOString(),
        registryLength: state.length,
      });
      deps.logger.info(
        { supergraphHash: hash, registryLength: state.length },
        'supergraph and policies reloaded from the registry',
      );
    } catch (error) {
      deps.logger.warn({ err: error }, 'the schema registry could not be read: the running supergraph stays');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void poll(), deps.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), poll };
}
