import type { ApolloGateway } from '@apollo/gateway';
import type { Logger } from '@macpt/kit';
import type { PolicyEngine } from '@macpt/policies';
import { GovernedGateway } from '../policy/governed-gateway.js';
import type { Stage } from './stage.js';

/**
 * Policy: around Apollo Gateway, fields the role and purpose can never see are removed before planning
 * (the plan cached under the rewritten operation), and every field is checked again, per child, after
 * execution, before the response leaves.
 */
export function usePolicy(deps: { engine: PolicyEngine; exempt: ReadonlySet<string>; logger: Logger }): Stage {
  return {
    name: 'policy',
    wrapGateway: (inner) => new GovernedGateway(inner as ApolloGateway, deps.engine, deps.exempt, deps.logger),
  };
}
