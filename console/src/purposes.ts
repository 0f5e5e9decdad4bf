/** How the console words each purpose of use (the purposes themselves come from policies/). */
const LABELS: Record<string, string> = {
  STRATEGY_DISCUSSION: 'Strategy discussion',
  SECTION_47_ENQUIRY: 'Section 47 enquiry',
  CHILD_PROTECTION_CONFERENCE: 'Child protection conference',
  CP_PLAN_REVIEW: 'Child protection plan review',
  MASH_TRIAGE: 'MASH triage',
  EMERGENCY: 'Emergency (break-glass)',
  IG_AUDIT: 'Information governance audit',
  FAMILY_HELP_SUPPORT: 'Family Help support (Children Act 1989 s.17)',
};

/** A purpose's words; one added to policies/ without words here reads as its name. */
export const purposeLabel = (purpose: string) =>
  LABELS[purpose] ?? purpose.charAt(0) + purpose.slice(1).toLowerCase().replace(/_/g, ' ');
