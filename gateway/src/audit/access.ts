import { auditRefusal, forbidden, igSeesRecord } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import type { DisclosureRecord } from '../disclosure/record.js';

/** Refuses anyone the policies do not let review the log (IG leads stating IG_AUDIT only). */
export function requireIgLead(ctx: GatewayContext): void {
  const rule = auditRefusal(ctx.user, ctx.purpose);
  if (rule) throw forbidden({ rule, agency: 'gateway', class: 'RESTRICTED' });
}

/** An agency's IG lead sees records about its data or its staff, and refusals of unknown callers. */
export function visibleTo(ctx: GatewayContext, record: DisclosureRecord): boolean {
  return igSeesRecord(ctx.user, record);
}
