/**
 * What a gateway's kept facts did during a run, from its own counter (`macpt_facts_kept_lookups_total`): look-ups
 * served from what it keeps, not kept (asked of the agencies), or refused because a change feed was past its bound
 * (also asked of the agencies). Null for a gateway that does not count them.
 */
export async function keptLookups(gatewayUrl: string): Promise<Record<string, number> | null> {
  try {
    const response = await fetch(new URL('/metrics', gatewayUrl));
    if (!response.ok) return null;
    const counts: Record<string, number> = {};
    for (const [, outcome, n] of (await response.text()).matchAll(
      /^macpt_facts_kept_lookups_total\{[^}]*\boutcome="([a-z_]+)"[^}]*\} (\d+)/gm,
    ))
      counts[outcome!] = Number(n);
    return Object.keys(counts).length > 0 ? counts : null;
  } catch {
    return null;
  }
}

/** The look-ups made between two readings of the counter. */
export function lookupsBetween(
  before: Record<string, number> | null,
  after: Record<string, number> | null,
): Record<string, number> | null {
  if (!before || !after) return null;
  return Object.fromEntries(Object.entries(after).map(([k, n]) => [k, n - (before[k] ?? 0)]));
}

/** `served 97 %, feeds_stale 2 %, not_kept 1 % of 12,345` */
export function describeLookups(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((t, n) => t + n, 0);
  if (total === 0) return 'none';
  return `${Object.entries(counts)
    .map(([k, n]) => `${k} ${((100 * n) / total).toFixed(1)} %`)
    .join(', ')} of ${total.toLocaleString('en-GB')}`;
}
