/**
 * What one request has said about children, for its disclosure record. Written only by the doors to a
 * child (`admission.ts`) and by what tells about an admitted child (the final policy check, explanations,
 * decisions, notifications); read only by the disclosure-log stage, which builds the record from it.
 */
export class ChildLedger {
  /** Children let in: their existence is itself disclosed. */
  readonly admitted: string[] = [];
  /** Children refused at a door, with the rule. */
  readonly refused: { nhsNumber: string; rule: string }[] = [];
  /** What the gateway itself said about a child on an agency's behalf (an explanation, that a decision exists, a notification). */
  readonly told: { nhsNumber: string; agency: string; fields: string[] }[] = [];
  /** Case ids asked for by `case(id)` (an unknown case is a refused attempt too). */
  readonly askedCases: string[] = [];

  admit(nhsNumber: string): void {
    if (!this.admitted.includes(nhsNumber)) this.admitted.push(nhsNumber);
  }

  refuse(nhsNumber: string, rule: string): void {
    this.refused.push({ nhsNumber: nhsNumber.slice(0, 20), rule });
  }

  tell(nhsNumber: string, agency: string, fields: readonly string[]): void {
    this.told.push({ nhsNumber, agency, fields: [...fields] });
  }

  askCase(id: string): void {
    this.askedCases.push(id.slice(0, 60));
  }

  /** Whether this request has named a child other than this one so far, let in or not. */
  namedOtherThan(nhsNumber: string): boolean {
    return this.admitted.some((n) => n !== nhsNumber) || this.refused.some((r) => r.nhsNumber !== nhsNumber);
  }
}
