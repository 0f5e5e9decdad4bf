import type { ReactNode } from 'react';

/** One column: its header, how a row's cell reads, and whether it holds numbers (right-aligned). */
export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T, index: number) => ReactNode;
  numeric?: boolean;
  /** Extra classes for the column's cells (e.g. a smaller font). */
  className?: string;
  /** Extra classes for its header. */
  headerClassName?: string;
  /** The cells name their rows (`<th scope="row">`). */
  rowHeader?: boolean;
}

/** A sortable table's current order, and how a header asks for another. */
export interface Sorting {
  by: string;
  up: boolean;
  onSort: (by: string) => void;
  /** The columns that sort (all when absent). */
  sortable?: readonly string[];
}

/**
 * The GOV.UK table (caption, column headers with `scope`, numeric cells right-aligned), one component for
 * every view. With `sorting`, each sortable header is a button that says its order to assistive technology
 * (`aria-sort`). An empty table says so in one row rather than showing nothing.
 */
export function Table<T>({
  caption,
  captionSize = 's',
  columns,
  rows,
  rowKey,
  empty,
  sorting,
  className,
}: {
  caption: ReactNode;
  /** The caption's size, or `hidden` for one read by assistive technology only. */
  captionSize?: 's' | 'm' | 'l' | 'hidden';
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => string;
  /** What an empty table says. */
  empty?: ReactNode;
  sorting?: Sorting;
  className?: string;
}) {
  const sorts = (key: string) => sorting && (!sorting.sortable || sorting.sortable.includes(key));
  return (
    <table className={`govuk-table${className ? ` ${className}` : ''}`}>
      <caption
        className={
          captionSize === 'hidden'
            ? 'govuk-visually-hidden'
            : `govuk-table__caption govuk-table__caption--${captionSize}`
        }
      >
        {caption}
      </caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          {columns.map((c) => (
            <th
              key={c.key}
              scope="col"
              className={`govuk-table__header${c.numeric ? ' govuk-table__header--numeric' : ''}${c.headerClassName ? ` ${c.headerClassName}` : ''}`}
              aria-sort={
                sorts(c.key) ? (sorting!.by === c.key ? (sorting!.up ? 'ascending' : 'descending') : 'none') : undefined
              }
            >
              {sorts(c.key) ? (
                <button type="button" className="govuk-link macpt-sort" onClick={() => sorting!.onSort(c.key)}>
                  {c.header}
                </button>
              ) : (
                c.header
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {rows.length === 0 && empty !== undefined ? (
          <tr className="govuk-table__row">
            <td className="govuk-table__cell" colSpan={columns.length}>
              {empty}
            </td>
          </tr>
        ) : (
          rows.map((row, i) => (
            <tr key={rowKey(row, i)} className="govuk-table__row">
              {columns.map((c) =>
                c.rowHeader ? (
                  <th key={c.key} scope="row" className="govuk-table__header govuk-!-font-weight-regular">
                    {c.cell(row, i)}
                  </th>
                ) : (
                  <td
                    key={c.key}
                    className={`govuk-table__cell${c.numeric ? ' govuk-table__cell--numeric' : ''}${c.className ? ` ${c.className}` : ''}`}
                  >
                    {c.cell(row, i)}
                  </td>
                ),
              )}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
