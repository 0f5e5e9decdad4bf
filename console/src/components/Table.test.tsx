import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Table } from './Table.js';

afterEach(cleanup);

const columns = [
  { key: 'name', header: 'Child', cell: (r: { name: string; days: number }) => r.name },
  { key: 'days', header: 'Days open', cell: (r: { name: string; days: number }) => r.days, numeric: true },
];

describe('the table', () => {
  it('says its sort order to assistive technology and asks for another from a header', () => {
    const onSort = vi.fn();
    render(
      <Table
        caption="Cases"
        columns={columns}
        rows={[{ name: 'A', days: 3 }]}
        rowKey={(r) => r.name}
        sorting={{ by: 'days', up: false, onSort, sortable: ['days'] }}
      />,
    );
    const [name, days] = screen.getAllByRole('columnheader');
    expect(name!.getAttribute('aria-sort')).toBeNull();
    expect(days!.getAttribute('aria-sort')).toBe('descending');
    fireEvent.click(within(days!).getByRole('button', { name: 'Days open' }));
    expect(onSort).toHaveBeenCalledWith('days');
    expect(screen.getByRole('cell', { name: '3' }).className).toContain('govuk-table__cell--numeric');
  });

  it('says it is empty in a row across the table', () => {
    render(<Table caption="Cases" columns={columns} rows={[]} rowKey={(r) => r.name} empty="No open cases." />);
    expect(screen.getByRole('cell', { name: 'No open cases.' }).getAttribute('colspan')).toBe('2');
  });
});
