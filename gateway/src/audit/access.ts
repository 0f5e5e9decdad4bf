import { codedError } from '@macpt/kit';
import { withheldMessage } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import type { DisclosureRecord } from '../disclosure/record.js';

/** Refuses anyone but an IG lead stating IG_AUDIT. */
export function requireIgLead(ctx: GatewayContext): void {
  if (ctx.user.role !== 'IG_LEAD' || ctx.purpose !== 'IG_AUDIT') {
    const refusal = { rule: 'IG_LEADS_ONLY', agency: 'gateway' };
    throw codedError('FORBIDDEN_BY_POLICY', withheldMessage(refusal), { ...refusal, class: 'RESTRICTED' });
  }
}

/** An agency's IG lead sees records about its data or its staff, and refusals of unknown callers. */
export function visibleTo(ctx: GatewayContext, record: DisclosureRecord): boolean {
  const agency = ctx.user.agency;
  return record.agencies.includes(agency) || record.user?.agency === agency || record.user === null;
}
