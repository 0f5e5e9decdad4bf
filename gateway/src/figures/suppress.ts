/** A shown count, or a suppressed one ("<5"): a count of 1 to 4 could identify a child. */
export type Cell = number | '<5';

/** The smallest count shown as it is. */
export const SHOWN_FROM = 5;

/**
 * Suppresses small numbers in one table: rows (keys) by columns (weeks), with a margin column (the
 * period) and, when the rows partition something (`partition`), a margin row (the total).
 * Primary: every count of 1–4 becomes "<5". Secondary: any row or column left with exactly one
 * suppressed cell would give it away by subtraction from its margin, so the smallest other non-zero
 * cell in that line is suppressed too (a margin only when nothing else is left), until no line has one.
 *
 * @param counts - counts[row][column], margins excluded.
 */
export function suppressTable(
  counts: number[][],
  partition: boolean,
  cols = counts[0]?.length ?? 0,
): { cells: Cell[][]; margin: Cell[]; totals: Cell[] | null; grand: Cell | null } {
  const rows = counts.length;
  // The full grid with margins: last column is the row's margin; with a partition, last row is the columns' total.
  const grid: number[][] = counts.map((r) => [...r, r.reduce((a, b) => a + b, 0)]);
  if (partition) grid.push([...Array(cols + 1).keys()].map((c) => grid.reduce((a, r) => a + r[c]!, 0)));
  const hidden = grid.map((r) => r.map((v) => v >= 1 && v < SHOWN_FROM));
  const lines: [number, number][][] = [
    ...grid.map((r, i) => r.map((_, j): [number, number] => [i, j])),
    ...(partition ? [...Array(cols + 1).keys()].map((j) => grid.map((_, i): [number, number] => [i, j])) : []),
  ];
  const isMargin = ([i, j]: [number, number]) => j === cols || (partition && i === rows);
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      if (line.filter(([i, j]) => hidden[i]![j]).length !== 1) continue;
      const open = line.filter(([i, j]) => !hidden[i]![j]);
      // Prefer the smallest non-zero inner cell, then any inner cell, then the margin.
      const pick = [...open].sort(
        (a, b) =>
          +isMargin(a) - +isMargin(b) ||
          +(grid[a[0]]![a[1]] === 0) - +(grid[b[0]]![b[1]] === 0) ||
          grid[a[0]]![a[1]]! - grid[b[0]]![b[1]]!,
      )[0];
      if (!pick) continue;
      hidden[pick[0]]![pick[1]] = true;
      changed = true;
    }
  }
  const show = (i: number, j: number): Cell => (hidden[i]![j] ? '<5' : grid[i]![j]!);
  return {
    cells: counts.map((r, i) => r.map((_, j) => show(i, j))),
    margin: counts.map((_, i) => show(i, cols)),
    totals: partition ? [...Array(cols).keys()].map((j) => show(rows, j)) : null,
    grand: partition ? show(rows, cols) : null,
  };
}
