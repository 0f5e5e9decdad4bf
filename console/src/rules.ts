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
