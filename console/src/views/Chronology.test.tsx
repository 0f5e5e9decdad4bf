import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ChronologyPanel, filterEntries, rangeSchema } from './Chronology.js';

afterEach(cleanup);

const entries = [
  {
    date: '2026-11-20',
    agency: 'social-care',
    kind: 'SECTION_47_ENQUIRY',
    title: 'Section 47 enquiry started',
    detail: 'OPEN',
  },
  { date: '2026-09-22', agency: 'police', kind: 'INCIDENT', title: 'Police incident', detail: 'THEFT · VICTIM' },
  { date: '2024-01-05', agency: 'health', kind: 'AE_ATTENDANCE', title: 'A&E attendance', detail: null },
];
const kinds = [
  { agency: 'health', kind: 'AE_ATTENDANCE', label: 'A&E attendance' },
  { agency: 'police', kind: 'INCIDENT', label: 'Police incident' },
  { agency: 'social-care', kind: 'SECTION_47_ENQUIRY', label: 'Section 47 enquiry started' },
];
const withheld = [
  {
    agency: 'health',
    kind: 'CAMHS_REFERRAL',
    field: 'HealthRecord.camhs',
    code: 'FORBIDDEN_BY_POLICY',
    rule: 'SENSITIVE_PURPOSE',
    message: 'Withheld by health policy (SENSITIVE_PURPOSE).',
  },
];

describe('the chronology’s filters', () => {
  it('keep the agencies, kind and dates asked for, inclusive', () => {
    const all = new Set(['health', 'police', 'social-care']);
    expect(filterEntries(entries, { agencies: all, kind: '', from: '', to: '' })).toEqual(entries);
    expect(filterEntries(entries, { agencies: new Set(['police']), kind: '', from: '', to: '' })).toEqual([entries[1]]);
    expect(filterEntries(entries, { agencies: all, kind: 'AE_ATTENDANCE', from: '', to: '' })).toEqual([entries[2]]);
    expect(filterEntries(entries, { agencies: all, kind: '', from: '2024-01-05', to: '2026-09-22' })).toEqual([
      entries[1],
      entries[2],
    ]);
  });

  it('accept blank or real dates only, To not before From', () => {
    expect(rangeSchema.safeParse({ from: '', to: '' }).success).toBe(true);
    const bad = rangeSchema.safeParse({ from: '2024-02-30', to: '2024-1-1' });
    expect(bad.error?.issues.map((i) => [i.path[0], i.message])).toEqual([
      ['from', 'From must be a real date, for example 2024-03-27'],
      ['to', 'To must be a real date, for example 2024-03-27'],
    ]);
    expect(rangeSchema.safeParse({ from: '2024-03-02', to: '2024-03-01' }).error?.issues[0]?.message).toBe(
      'To must be the same as or after From',
    );
  });
});

describe('the chronology panel', () => {
  it('shows every entry with its agency as a tag, and what is withheld as withheld', () => {
    render(<ChronologyPanel chronology={{ entries, withheld }} kinds={kinds} />);
    const table = screen.getByRole('table', { name: '3 events' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map((r) =>
        within(r)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ['2026-11-20', 'Social care', 'Section 47 enquiry started', 'OPEN'],
      ['2026-09-22', 'Police', 'Police incident', 'THEFT · VICTIM'],
      ['2024-01-05', 'Health', 'A&E attendance', ''],
    ]);
    expect(screen.getByText(/HealthRecord\.camhs/).textContent).toContain('Withheld');
  });

  it('filters by agency, and refuses a date that is not a date with an error summary linked to it', async () => {
    render(<ChronologyPanel chronology={{ entries, withheld: [] }} kinds={kinds} />);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Police' }));
    expect(screen.getByRole('table', { name: '2 of 3 events shown by the filters' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2024-13-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply dates' }));
    const link = await screen.findByRole('link', { name: 'From must be a real date, for example 2024-03-27' });
    expect(link.getAttribute('href')).toBe(`#${screen.getByLabelText('From').id}`);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-01-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply dates' }));
    expect(await screen.findByRole('table', { name: '1 of 3 events shown by the filters' })).toBeTruthy();
  });
});
