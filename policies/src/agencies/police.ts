import type { AgencyPolicy } from '../vocabulary.js';

// Police's sharing policy, owned by the force (controller for law-enforcement processing).
// Intelligence is split by handling code in the police subgraph: code "P" (lawful onward sharing)
// is published as `intelligence` (SENSITIVE); any other code as `restrictedIntelligence` (RESTRICTED).

const IDENTITY = { class: 'IDENTITY' } as const;
const SAFEGUARDING = { class: 'SAFEGUARDING' } as const;
const SENSITIVE = { class: 'SENSITIVE' } as const;
const RESTRICTED = { class: 'RESTRICTED' } as const;
const ENCOMPASS = { class: 'SAFEGUARDING', encompass: true } as const;

export const policePolicy: AgencyPolicy = {
  agency: 'police',
  lawfulBasis:
    'DPA 2018 Part 3 (law enforcement processing), s.35 and Sch. 8 para. 4 (safeguarding of children and individuals at risk)',
  sensitiveRoles: ['MACPT_POLICE', 'SOCIAL_WORKER'],
  locationFlag: 'a refuge address or other household location that must not be disclosed outside police',
  fields: {
    'Child.nhsNumber': IDENTITY,
    // That police hold a record at all is safeguarding information.
    'Child.police': SAFEGUARDING,
    // Operation Encompass: notifications to the child's school after domestic abuse at home.
    'Child.operationEncompass': ENCOMPASS,

    'PoliceRecord.name': IDENTITY,
    'PoliceRecord.dateOfBirth': IDENTITY,
    'PoliceRecord.incidents': SAFEGUARDING,
    'PoliceRecord.domesticAbuseIncidents': SAFEGUARDING,
    'PoliceRecord.missingEpisodes': SAFEGUARDING,
    'PoliceRecord.exploitationRisk': SAFEGUARDING,
    'PoliceRecord.policeProtection': SAFEGUARDING,
    'PoliceRecord.intelligence': SENSITIVE,
    'PoliceRecord.restrictedIntelligence': RESTRICTED,
    'PoliceRecord.householdOffending': SENSITIVE,

    'PoliceIncident.id': SAFEGUARDING,
    'PoliceIncident.date': SAFEGUARDING,
    'PoliceIncident.kind': SAFEGUARDING,
    'PoliceIncident.involvement': SAFEGUARDING,
    'PoliceIncident.location': { class: 'SAFEGUARDING', location: true },
    'PoliceIncident.summary': SAFEGUARDING,

    'DomesticAbuseIncident.id': SAFEGUARDING,
    'DomesticAbuseIncident.date': SAFEGUARDING,
    'DomesticAbuseIncident.riskLevel': SAFEGUARDING,
    'DomesticAbuseIncident.location': { class: 'SAFEGUARDING', location: true },

    'EncompassNotification.id': ENCOMPASS,
    'EncompassNotification.incidentId': ENCOMPASS,
    'EncompassNotification.schoolUrn': ENCOMPASS,
    'EncompassNotification.sentAt': ENCOMPASS,

    'MissingEpisode.id': SAFEGUARDING,
    'MissingEpisode.reportedOn': SAFEGUARDING,
    'MissingEpisode.durationHours': SAFEGUARDING,
    'MissingEpisode.returnInterviewCompleted': SAFEGUARDING,

    'ExploitationRisk.sexualExploitation': SAFEGUARDING,
    'ExploitationRisk.criminalExploitation': SAFEGUARDING,
    'ExploitationRisk.assessedOn': SAFEGUARDING,

    'PoliceProtection.id': SAFEGUARDING,
    'PoliceProtection.date': SAFEGUARDING,
    'PoliceProtection.reason': SAFEGUARDING,

    'Intelligence.id': SENSITIVE,
    'Intelligence.date': SENSITIVE,
    'Intelligence.handlingCode': SENSITIVE,
    'Intelligence.summary': SENSITIVE,

    'AdultOffence.id': SENSITIVE,
    'AdultOffence.adultName': SENSITIVE,
    'AdultOffence.relationship': SENSITIVE,
    'AdultOffence.offence': SENSITIVE,
    'AdultOffence.date': SENSITIVE,
    'AdultOffence.outcome': SENSITIVE,
  },
};
