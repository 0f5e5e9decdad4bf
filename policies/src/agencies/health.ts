import type { AgencyPolicy } from '../vocabulary.js';

// Health's sharing policy, owned by the NHS bodies of the footprint (data controllers).

const IDENTITY = { class: 'IDENTITY' } as const;
const SAFEGUARDING = { class: 'SAFEGUARDING' } as const;
const SENSITIVE = { class: 'SENSITIVE' } as const;
const RESTRICTED = { class: 'RESTRICTED' } as const;

export const healthPolicy: AgencyPolicy = {
  agency: 'health',
  lawfulBasis:
    'UK GDPR Art. 6(1)(e) and Art. 9(2)(g); DPA 2018 Sch. 1 para. 18 (safeguarding of children and individuals at risk)',
  sensitiveRoles: ['MACPT_HEALTH'],
  locationFlag: 'the NHS demographics sensitive-record flag (S-flag) on the household registration',
  fields: {
    'Child.nhsNumber': IDENTITY,
    'Child.health': IDENTITY,

    'HealthRecord.name': IDENTITY,
    'HealthRecord.dateOfBirth': IDENTITY,
    'HealthRecord.sex': IDENTITY,
    'HealthRecord.address': { class: 'IDENTITY', location: true },
    'HealthRecord.postcode': { class: 'IDENTITY', location: true },
    'HealthRecord.gpPractice': IDENTITY,
    'HealthRecord.namedProfessional': IDENTITY,
    'HealthRecord.aeAttendances': SAFEGUARDING,
    'HealthRecord.wasNotBrought': SAFEGUARDING,
    'HealthRecord.immunisations': SAFEGUARDING,
    'HealthRecord.camhs': SENSITIVE,
    'HealthRecord.sexualHealth': SENSITIVE,
    // Contacts a Fraser-competent child asked not to share stay with health.
    'HealthRecord.confidentialSexualHealth': RESTRICTED,
    'HealthRecord.householdMaternityConcerns': SENSITIVE,

    'GpPractice.odsCode': IDENTITY,
    'GpPractice.name': IDENTITY,
    'HealthProfessional.kind': IDENTITY,
    'HealthProfessional.name': IDENTITY,

    'AeAttendance.id': SAFEGUARDING,
    'AeAttendance.date': SAFEGUARDING,
    'AeAttendance.hospital': SAFEGUARDING,
    'AeAttendance.injuryCode': SAFEGUARDING,
    'AeAttendance.description': SAFEGUARDING,

    'MissedAppointment.id': SAFEGUARDING,
    'MissedAppointment.date': SAFEGUARDING,
    'MissedAppointment.clinic': SAFEGUARDING,

    'Immunisation.vaccine': SAFEGUARDING,
    'Immunisation.status': SAFEGUARDING,
    'Immunisation.date': SAFEGUARDING,

    'CamhsEpisode.id': SENSITIVE,
    'CamhsEpisode.referredOn': SENSITIVE,
    'CamhsEpisode.status': SENSITIVE,
    'CamhsEpisode.concern': SENSITIVE,

    'SexualHealthContact.id': SENSITIVE,
    'SexualHealthContact.date': SENSITIVE,
    'SexualHealthContact.service': SENSITIVE,
    'SexualHealthContact.note': SENSITIVE,

    'MaternityConcern.id': SENSITIVE,
    'MaternityConcern.date': SENSITIVE,
    'MaternityConcern.concern': SENSITIVE,
  },
};
