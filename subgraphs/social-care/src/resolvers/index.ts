import type { SocialCareQueries } from '../store/queries.js';
import { caseResolvers } from './cases.js';
import { childResolvers } from './child.js';

/** All of social care's resolvers. */
export function resolvers(q: SocialCareQueries) {
  return { ...childResolvers, ...caseResolvers(q) };
}
