import { RULES } from './generated/rules.js';

// What the console shows each role, from the rules generated out of policies/ (the gateway decides by them).

type Role = keyof typeof RULES.childRecordPurposes;

/** The purposes a role may open child records for (empty: the role opens none). */
export const childRecordPurposes = (role: string): readonly string[] => RULES.childRecordPurposes[role as Role] ?? [];
export const opensChildRecords = (role: string) => childRecordPurposes(role).length > 0;
export const listsCaseload = (role: string) => (RULES.caseloadRoles as readonly string[]).includes(role);
export const seesFigures = (role: string) => (RULES.figuresRoles as readonly string[]).includes(role);
export const reviewsLog = (role: string) => (RULES.auditRoles as readonly string[]).includes(role);
export const isBreakGlass = (purpose: string) => purpose === RULES.breakGlassPurpose;
export const MIN_JUSTIFICATION = RULES.minJustification;

/** An agency's id as words: `social-care` → `Social care`. */
export const agencyName = (agency: string) => {
  const words = agency.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const fieldWords = (field: string) => {
  const words = field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** One panel of the child view: an agency's field on Child, titled by the agency (its record) or the field. */
export interface ChildSection {
  agency: string;
  field: string;
  title: string;
}

/** The child view's panels, in the policies' order: every agency's fields on Child. */
export const CHILD_SECTIONS: readonly ChildSection[] = RULES.agencies.flatMap((a) =>
  a.fields.map((f) => ({
    agency: a.agency,
    field: f.field,
    title:
      f.field === a.record?.field
        ? agencyName(a.agency)
        : `${fieldWords(f.field)} (${agencyName(a.agency).toLowerCase()})`,
  })),
);

/** An agency's own record on Child (its field and type), where its staff decide what not to share. */
export const recordOf = (agency: string): { field: string; type: string } | null =>
  RULES.agencies.find((a) => a.agency === agency)?.record ?? null;
