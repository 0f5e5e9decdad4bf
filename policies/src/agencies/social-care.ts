import type { AgencyPolicy } from '../vocabulary.js';

// Social care's sharing policy, owned by the local authorities' children's services (data controller).
// Reclassify a field here and every persona's view changes on the next start: no code change.

const IDENTITY = { class: 'IDENTITY' } as const;
const SAFEGUARDING = { class: 'SAFEGUARDING' } as const;
const SENSITIVE = { class: 'SENSITIVE' } as const;
const RESTRICTED = { class: 'RESTRICTED' } as const;

export const socialCarePolicy: AgencyPolicy = {
  agency: 'social-care',
  lawfulBasis:
    'UK GDPR Art. 6(1)(e) and Art. 9(2)(g); DPA 2018 Sch. 1 para. 18 (safeguarding of children and individuals at risk)',
  sensitiveRoles: ['SOCIAL_WORKER', 'MACPT_POLICE', 'MACPT_HEALTH', 'MACPT_EDUCATION'],
  childLinks: { MacptCase: 'child' },
  runsCases: true,
  locationFlag: 'an adoptive or other placement whose address must not be disclosed',
  fields: {
    'Child.nhsNumber': IDENTITY,
    // That social care holds a record at all is safeguarding information.
    'Child.socialCare': SAFEGUARDING,

    'SocialCareRecord.name': IDENTITY,
    'SocialCareRecord.dateOfBirth': IDENTITY,
    'SocialCareRecord.localAuthority': IDENTITY,
    'SocialCareRecord.currentCase': IDENTITY,
    'SocialCareRecord.lookedAfter': SAFEGUARDING,
    'SocialCareRecord.placementAddress': { class: 'SAFEGUARDING', location: true },
    'SocialCareRecord.referrals': SAFEGUARDING,
    'SocialCareRecord.strategyDiscussions': SAFEGUARDING,
    'SocialCareRecord.section47Enquiries': SAFEGUARDING,
    'SocialCareRecord.conferences': SAFEGUARDING,
    'SocialCareRecord.cpPlan': SAFEGUARDING,
    'SocialCareRecord.caseNotes': SENSITIVE,
    'SocialCareRecord.adoptionDetails': RESTRICTED,

    // A case's existence and its named workers are visible to the LA's whole MACPT; its stage is not.
    'MacptCase.id': IDENTITY,
    'MacptCase.child': IDENTITY,
    'MacptCase.localAuthority': IDENTITY,
    'MacptCase.status': IDENTITY,
    'MacptCase.openedOn': IDENTITY,
    'MacptCase.namedWorkers': IDENTITY,
    'MacptCase.stage': SAFEGUARDING,
    'MacptCase.strategyDiscussion': SAFEGUARDING,
    'MacptCase.section47Enquiry': SAFEGUARDING,
    'MacptCase.conference': SAFEGUARDING,
    'MacptCase.cpPlan': SAFEGUARDING,

    'NamedWorker.userId': IDENTITY,
    'NamedWorker.name': IDENTITY,
    'NamedWorker.role': IDENTITY,
    'NamedWorker.agency': IDENTITY,

    'Referral.id': SAFEGUARDING,
    'Referral.date': SAFEGUARDING,
    'Referral.source': SAFEGUARDING,
    'Referral.status': SAFEGUARDING,
    'Referral.outcome': SAFEGUARDING,

    'StrategyDiscussion.id': SAFEGUARDING,
    'StrategyDiscussion.date': SAFEGUARDING,
    'StrategyDiscussion.status': SAFEGUARDING,
    'StrategyDiscussion.decision': SAFEGUARDING,

    'Section47Enquiry.id': SAFEGUARDING,
    'Section47Enquiry.startedOn': SAFEGUARDING,
    'Section47Enquiry.status': SAFEGUARDING,
    'Section47Enquiry.outcome': SAFEGUARDING,

    'ChildProtectionConference.id': SAFEGUARDING,
    'ChildProtectionConference.kind': SAFEGUARDING,
    'ChildProtectionConference.date': SAFEGUARDING,
    'ChildProtectionConference.outcome': SAFEGUARDING,

    'CpPlan.category': SAFEGUARDING,
    'CpPlan.startDate': SAFEGUARDING,

    'CaseNote.id': SENSITIVE,
    'CaseNote.date': SENSITIVE,
    'CaseNote.author': SENSITIVE,
    'CaseNote.text': SENSITIVE,
  },
};
