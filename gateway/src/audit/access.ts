import { codedError } from '@macpt/kit';
import type { GatewayContext } from '../context.js';
import type { DisclosureRecord } from '../disclosure/record.js';

/** Refuses anyone but an IG lead stating IG_AUDIT. */
export function requireIgLead(ctx: GatewayContext): void {
  if (ctx.user.role !== 'IG_LEAD' || ctx.purpose !== 'IG_AUDIT') {
    throw codedError('FORBIDDEN_BY_POLICY', 'Withheld by gateway policy (IG_LEADS_ONLY): the disclosure log is reviewed by IG leads, with purpose of use IG_AUDIT.', { rule: 'IG_LEADS_ONLY', agency: 'gateway', class: 'RESTRICTED' });
  }
}

/** An agency's IG lead sees records about its data or its staff, and refusals of unknown callers. */
export function visibleTo(ctx: GatewayContext, record: DisclosureRecord): boolean {
  const agency = ctx.user.agency;
  return record.agencies.includes(agency) || record.user?.agency === agency || record.user === null;
}
