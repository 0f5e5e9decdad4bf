export {
  forEachBatch,
  GENERATOR_VERSION,
  generateWorld,
  nhsNumbers,
  MAX_CHILDREN,
  type WorldOptions,
} from './generate.js';
export { generateHousehold } from './household.js';
export { PersonaCollector, type Persona } from './personas.js';
export { Random, shiftDays } from './random.js';
export * from './types.js';
export * from './world.js';
export { decisionsFor, type SyntheticDecision } from './decisions.js';
export { hasLongHistory } from './long-history.js';
