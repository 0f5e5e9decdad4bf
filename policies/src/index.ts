export { ALL_PURPOSES, CompiledPolicy, compileRules, RULE_TEXT, withheldMessage, type Decision, type FieldSubject } from './compile.js';
export { coverageProblems, publishedFields } from './coverage.js';
export { PolicyEngine, POLICIES, type FieldDecision } from './engine.js';
export { BREAK_GLASS_ROLES, CASELOAD_ROLES, DENIALS, GRANTS, OVERRIDES, PURPOSE_NEEDS } from './matrix.js';
export { caseloadRefusal, childAttributes, entryRefusal, mayBreakGlass, purposeSupported, relationshipOf, type ChildAttributes, type PolicyFacts, type PolicyUser } from './relationship.js';
export * from './vocabulary.js';
