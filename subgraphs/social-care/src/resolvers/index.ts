import { caseResolvers } from './cases.js';
import { childResolvers } from './child.js';

/** All of social care's resolvers. */
export function resolvers() {
  return { ...childResolvers, ...caseResolvers() };
}
