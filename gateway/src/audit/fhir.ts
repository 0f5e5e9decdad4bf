import type { DisclosureRecord } from '../disclosure/record.js';

const OUTCOME: Record<string, string> = {
  DISCLOSED: '0',
  PARTIAL: '4',
  WITHHELD: '4',
  NOT_FOUND: '4',
  UNAUTHENTICATED: '8',
  BAD_REQUEST: '4',
  BREAK_GLASS_REFUSED: '8',
  RATE_LIMITED: '8',
  REVIEWED: '0',
  RECOVERED: '0',
};

/**
 * A record as a FHIR R4 AuditEvent in the IHE Basic Audit Log Patterns "privacy disclosure" shape:
 * the user as agent (with purposeOfUse), the gateway as source, each child as a patient entity.
 */
export function toAuditEvent(record: DisclosureRecord) {
  return {
    resourceType: 'AuditEvent',
    id: record.id,
    meta: {
      profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PrivacyDisclosure.Recipient'],
    },
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110106', display: 'Export' },
    subtype: [{ system: 'urn:macpt:record-kind', code: record.kind }],
    action: 'R',
    recorded: record.time,
    outcome: OUTCOME[record.outcome] ?? '4',
    outcomeDesc: record.reason ?? record.outcome,
    purposeOfEvent: record.purpose ? [{ coding: [{ system: 'urn:macpt:purpose-of-use', code: record.purpose }] }] : [],
    agent: [
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
              code: 'IRCP',
              display: 'information recipient',
            },
          ],
        },
        who: record.user
          ? {
              identifier: { system: 'urn:macpt:user', value: record.user.id },
              display: `${record.user.role} (${record.user.agency}${record.user.la ? `, ${record.user.la}` : ''})`,
            }
          : { display: 'unauthenticated caller' },
        requestor: true,
        purposeOfUse: record.purpose
          ? [{ coding: [{ system: 'urn:macpt:purpose-of-use', code: record.purpose }] }]
          : [],
        ...(record.breakGlass ? { policy: ['urn:macpt:break-glass'] } : {}),
      },
      {
        type: {
          coding: [
            { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110153', display: 'Source Role ID' },
          ],
        },
        who: { display: 'MACPT information-sharing gateway' },
        requestor: false,
      },
    ],
    source: {
      observer: { display: 'MACPT information-sharing gateway' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    entity: [
      ...record.children.map((c) => ({
        what: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: c.nhsNumber } },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
        detail: [
          ...Object.entries(c.disclosed).map(([agency, fields]) => ({
            type: `disclosed:${agency}`,
            valueString: fields.join(' '),
          })),
          ...c.withheld.map((w) => ({ type: `withheld:${w.agency}`, valueString: `${w.field} (${w.rule})` })),
          ...Object.entries(c.lawfulBasis).map(([agency, basis]) => ({
            type: `lawful-basis:${agency}`,
            valueString: basis,
          })),
        ],
      })),
      {
        what: { identifier: { system: 'urn:macpt:request', value: record.requestId } },
        type: {
          system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
          code: '2',
          display: 'System Object',
        },
        detail: [
          {
            type: 'operation',
            valueString: `${record.operation.name ?? '(anonymous)'} ${record.operation.hash ?? ''}`.trim(),
          },
          ...(record.justification ? [{ type: 'justification', valueString: record.justification }] : []),
        ],
      },
    ],
  };
}

/** A FHIR searchset Bundle of AuditEvents. */
export function toBundle(records: readonly DisclosureRecord[]) {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: records.length,
    entry: records.map((r) => ({ resource: toAuditEvent(r) })),
  };
}

const cell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** A subject-access report as CSV: one row per record and child. */
export function toCsv(nhsNumber: string, records: readonly DisclosureRecord[]): string {
  const header = [
    'time',
    'record_id',
    'user_id',
    'role',
    'agency',
    'la',
    'purpose',
    'break_glass',
    'justification',
    'outcome',
    'operation',
    'client',
    'disclosed',
    'withheld',
    'lawful_basis',
  ];
  const rows = records.map((r) => {
    const c = r.children.find((x) => x.nhsNumber === nhsNumber);
    return [
      r.time,
      r.id,
      r.user?.id,
      r.user?.role,
      r.user?.agency,
      r.user?.la,
      r.purpose,
      r.breakGlass,
      r.justification,
      r.outcome,
      r.operation.name,
      r.clientName,
      c
        ? Object.entries(c.disclosed)
            .map(([a, f]) => `${a}: ${f.join(' ')}`)
            .join('; ')
        : '',
      c ? c.withheld.map((w) => `${w.field} (${w.rule})`).join('; ') : '',
      c
        ? Object.entries(c.lawfulBasis)
            .map(([a, b]) => `${a}: ${b}`)
            .join('; ')
        : '',
    ]
      .map(cell)
      .join(',');
  });
  return [header.join(','), ...rows].join('\n') + '\n';
}
