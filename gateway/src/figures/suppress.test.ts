import { describe, expect, it } from 'vitest';
import { suppressTable, type Cell } from './suppress.js';
import { periodOf, periodsCovering } from './periods.js';

/** Every line (row and, for a partition, column, margins included) has 0 or at least 2 suppressed cells. */
function linesSafe(cells: Cell[][], margin: Cell[], totals: Cell[] | null, grand: Cell | null): boolean {
  const grid = cells.map((r, i) => [...r, margin[i]!]);
  if (totals) grid.push([...totals, grand!]);
  const rows = grid.map((r) => r.filter((c) => c === '<5').length);
  const cols = totals ? grid[0]!.map((_, j) => grid.filter((r) => r[j] === '<5').length) : [];
  return [...rows, ...cols].every((n) => n !== 1);
}

describe('small-number suppression', () => {
  it.each([
    ['one small cell among large ones', [[3, 12, 9, 20]], false],
    [
      'a partition with one small cell',
      [
        [3, 12],
        [10, 11],
      ],
      true,
    ],
    [
      'a partition whose only small cell sits beside zeros',
      [
        [2, 0],
        [0, 0],
        [7, 9],
      ],
      true,
    ],
    [
      'everything small',
      [
        [1, 2],
        [3, 4],
      ],
      true,
    ],
    [
      'nothing small',
      [
        [5, 6],
        [7, 8],
      ],
      true,
    ],
  ] as const)('%s: shows no 1–4 and leaves no line with one suppressed cell', (_, counts, partition) => {
    const { cells, margin, totals, grand } = suppressTable(
      counts.map((r) => [...r]),
      partition,
    );
    const shown = [...cells.flat(), ...margin, ...(totals ?? []), ...(grand === null ? [] : [grand])];
    expect(shown.filter((c) => typeof c === 'number' && c >= 1 && c <= 4)).toEqual([]);
    expect(linesSafe(cells, margin, totals, grand)).toBe(true);
  });

  it('suppresses a second cell so a lone "<5" cannot be subtracted out of its total', () => {
    const { cells, margin } = suppressTable([[3, 12, 9, 20]], false);
    expect(margin).toEqual([44]);
    expect(cells[0]).toEqual(['<5', 12, '<5', 20]);
  });

  it('keeps its shape when a period has no rows at all (every week zero)', () => {
    expect(suppressTable([], true, 4)).toEqual({ cells: [], margin: [], totals: [0, 0, 0, 0], grand: 0 });
  });

  it('leaves a table of large numbers alone', () => {
    expect(
      suppressTable(
        [
          [5, 6],
          [7, 8],
        ],
        true,
      ),
    ).toEqual({
      cells: [
        [5, 6],
        [7, 8],
      ],
      margin: [11, 15],
      totals: [12, 14],
      grand: 26,
    });
  });
});

describe('reporting periods', () => {
  it('are fixed four-week blocks from a Monday, whatever dates are asked for', () => {
    expect(periodOf('2026-11-04')).toEqual(periodOf('2026-11-27'));
    const p = periodOf('2026-11-18');
    expect(p.weeks).toHaveLength(4);
    expect(new Date(`${p.start}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(periodsCovering('2026-11-18', '2026-11-20')).toEqual([p]);
    expect(periodsCovering(p.start, p.end)).toEqual([p]);
    expect(periodsCovering('2026-10-01', '2026-12-01').length).toBe(4);
  });
});
