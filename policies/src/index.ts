export {
  ALL_PURPOSES,
  CompiledPolicy,
  compileRules,
  RULE_TEXT,
  withheldMessage,
  type Decision,
  type FieldSubject,
} from './compile.js';
export { chronologyProblems, coverageProblems, publishedFields } from './coverage.js';
export { forbidden, type Withholding } from './forbidden.js';
export { FieldMask, PolicyEngine, POLICIES, policyFileOf, type FactOwners, type FieldDecision } from './engine.js';
export { AGENCIES, loadAgencyPolicy, parseAgencyPolicy, PolicyFileError } from './policy-file.js';
export {
  ADMISSION_REFUSALS,
  AUDIT_REFUSALS,
  BREAK_GLASS_ROLES,
  CASELOAD_REFUSALS,
  CASELOAD_ROLES,
  DECIDER_REFUSALS,
  DECISION_AUDIENCES,
  DECISION_VIEWS,
  DENIALS,
  ENTRY_REFUSALS,
  FIGURES_ROLES,
  GRANTS,
  OVERDUE_LIST_REFUSALS,
  OVERRIDES,
  PURPOSE_NEEDS,
  type DecisionView,
} from './matrix.js';
export {
  admissionRefusal,
  auditRefusal,
  caseloadRefusal,
  childAttributes,
  deciderRefusal,
  decisionView,
  entryRefusal,
  figuresRefusal,
  holdingAgencyRefusal,
  igSeesRecord,
  mayBreakGlass,
  mayLearnChildUnknown,
  overdueListRefusal,
  purposeSupported,
  relationshipOf,
  UNRELATED,
  type ChildAttributes,
  type ChildStanding,
  type PolicyFacts,
  type PolicyUser,
} from './relationship.js';
export * from './vocabulary.js';
export {
  LOCATION_FIELDS,
  loadNotificationRules,
  NOTIFICATION_RULES_FILE,
  parseNotificationRules,
  RECIPIENT_KINDS,
  RECIPIENTS,
  recipientUser,
  type NotificationAddress,
  type NotificationRule,
  type Recipient,
} from './notification-rules.js';
