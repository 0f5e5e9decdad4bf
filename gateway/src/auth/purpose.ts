import type { IncomingMessage } from 'node:http';
import { codedError } from '@macpt/kit';
import { mayBreakGlass, PURPOSES, RULE_TEXT, type PolicyUser, type Purpose } from '@macpt/policies';

/** The least a break-glass justification may say. */
export const MIN_JUSTIFICATION = 20;

/** Why a request is being made, as stated in its headers. */
export interface StatedPurpose {
  purpose: Purpose;
  /** EMERGENCY (only MACPT members get this far): IDENTITY and SAFEGUARDING for the children asked about, flagged for IG review. */
  breakGlass: boolean;
  justification: string | null;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Reads `X-Purpose-Of-Use` and `X-Justification`; refuses the request (400) when they are missing or wrong. */
export function statedPurpose(req: IncomingMessage, user: PolicyUser): StatedPurpose {
  const raw = header(req, 'x-purpose-of-use')?.trim();
  if (!raw || !(PURPOSES as readonly string[]).includes(raw)) {
    throw codedError(
      'PURPOSE_OF_USE_REQUIRED',
      `${raw ? `Unknown purpose of use ${JSON.stringify(raw.slice(0, 60))}` : 'Header X-Purpose-Of-Use is required'}; accepted values: ${PURPOSES.join(', ')}.`,
      { accepted: [...PURPOSES] },
      { refusesRequest: true },
    );
  }
  const purpose = raw as Purpose;
  const justification = header(req, 'x-justification')?.trim() ?? null;
  if (purpose === 'EMERGENCY' && !mayBreakGlass(user)) {
    throw codedError('BREAK_GLASS_NOT_PERMITTED', `Refused: ${RULE_TEXT.BREAK_GLASS_NOT_PERMITTED}. This attempt has been recorded for IG review.`, { role: user.role }, { refusesRequest: true });
  }
  if (purpose === 'EMERGENCY' && (justification?.length ?? 0) < MIN_JUSTIFICATION) {
    throw codedError('JUSTIFICATION_REQUIRED', `EMERGENCY (break-glass) needs header X-Justification of at least ${MIN_JUSTIFICATION} characters saying why.`, { minimumLength: MIN_JUSTIFICATION }, { refusesRequest: true });
  }
  // Every request under EMERGENCY is break-glass: flagged in its record and queued for IG review, whatever it disclosed.
  return { purpose, breakGlass: purpose === 'EMERGENCY', justification: purpose === 'EMERGENCY' ? justification : null };
}
