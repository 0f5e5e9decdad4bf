export {
  ALL_PURPOSES,
  CompiledPolicy,
  compileRules,
  RULE_TEXT,
  withheldMessage,
  type Decision,
  type FieldSubject,
} from './compile.js';
export { coverageProblems, publishedFields } from './coverage.js';
export { forbidden, type Withholding } from './forbidden.js';
export { PolicyEngine, POLICIES, policyFileOf, type FieldDecision } from './engine.js';
export { AGENCIES, loadAgencyPolicy, parseAgencyPolicy, PolicyFileError } from './policy-file.js';
export {
  AUDIT_REFUSALS,
  BREAK_GLASS_ROLES,
  CASELOAD_REFUSALS,
  CASELOAD_ROLES,
  DENIALS,
  ENTRY_REFUSALS,
  FIGURES_ROLES,
  GRANTS,
  OVERRIDES,
  PURPOSE_NEEDS,
} from './matrix.js';
export {
  auditRefusal,
  caseloadRefusal,
  childAttributes,
  entryRefusal,
  figuresRefusal,
  mayBreakGlass,
  purposeSupported,
  relationshipOf,
  type ChildAttributes,
  type PolicyFacts,
  type PolicyUser,
} from './relationship.js';
export * from './vocabulary.js';
export {
  LOCATION_FIELDS,
  loadNotificationRules,
  NOTIFICATION_RULES_FILE,
  parseNotificationRules,
  RECIPIENTS,
  type NotificationRule,
  type Recipient,
} from './notification-rules.js';
