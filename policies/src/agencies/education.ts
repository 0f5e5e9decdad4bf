import type { AgencyPolicy } from '../vocabulary.js';

// Education's sharing policy, owned by the schools and the LAs' education services.

const IDENTITY = { class: 'IDENTITY' } as const;
const SAFEGUARDING = { class: 'SAFEGUARDING' } as const;
const SENSITIVE = { class: 'SENSITIVE' } as const;
const RESTRICTED = { class: 'RESTRICTED' } as const;

export const educationPolicy: AgencyPolicy = {
  agency: 'education',
  lawfulBasis:
    'UK GDPR Art. 6(1)(e) and Art. 9(2)(g); DPA 2018 Sch. 1 para. 18 (safeguarding of children and individuals at risk)',
  sensitiveRoles: ['MACPT_EDUCATION', 'SOCIAL_WORKER'],
  fields: {
    'Child.nhsNumber': IDENTITY,
    'Child.education': IDENTITY,

    'EducationRecord.name': IDENTITY,
    'EducationRecord.dateOfBirth': IDENTITY,
    'EducationRecord.school': IDENTITY,
    'EducationRecord.homeAddress': { class: 'IDENTITY', location: true },
    'EducationRecord.attendance': SAFEGUARDING,
    'EducationRecord.suspensions': SAFEGUARDING,
    'EducationRecord.exclusions': SAFEGUARDING,
    'EducationRecord.senStatus': SAFEGUARDING,
    'EducationRecord.senDetail': SENSITIVE,
    'EducationRecord.dslConcerns': SAFEGUARDING,
    'EducationRecord.electiveHomeEducation': SAFEGUARDING,
    'EducationRecord.childMissingEducation': SAFEGUARDING,
    'EducationRecord.pastoralNotes': RESTRICTED,

    'School.urn': IDENTITY,
    'School.name': IDENTITY,
    'School.localAuthority': IDENTITY,
    'School.phase': IDENTITY,

    'Attendance.rate': SAFEGUARDING,
    'Attendance.persistentAbsence': SAFEGUARDING,
    'Attendance.sessionsPossible': SAFEGUARDING,

    'Suspension.id': SAFEGUARDING,
    'Suspension.date': SAFEGUARDING,
    'Suspension.days': SAFEGUARDING,
    'Suspension.reason': SAFEGUARDING,

    'Exclusion.id': SAFEGUARDING,
    'Exclusion.date': SAFEGUARDING,
    'Exclusion.reason': SAFEGUARDING,

    'DslConcern.id': SAFEGUARDING,
    'DslConcern.date': SAFEGUARDING,
    'DslConcern.category': SAFEGUARDING,
    'DslConcern.summary': SAFEGUARDING,
  },
};
