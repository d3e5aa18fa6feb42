import { beforeAll, describe, expect, it } from 'vitest';
import { renderScreen, runInPty, type PtyResult, type RenderedScreen, type ScreenText } from '../helpers/pty-screen.js';

// The live progress display as a person sees it in a 150x40 terminal: test/helpers/drive-console-display.ts
// plays a run's events (progress, a warning, a wait with a countdown, its end, the summary) under a
// real pseudo-terminal, and the bytes it wrote are rendered by a terminal emulator (xterm.js).
const SIZE = { cols: 150, rows: 40 };
const BAR_ROW = /^\S+ \d+% \| \d+\/\d+ rows \| \d+ rows\/s \| \d+\/600 req\/min \| ETA \S+$/;
const WARNING =
  'WARNING-START the API refused user j…m (20 chars) with token [redacted]: this warning is deliberately long so that it wraps onto a second row of the terminal WARNING-END';
const WAIT_ROW = /^ {2}waiting: the server asked to wait \(Retry-After\), (\d+) s left$/;

const barRows = (screen: ScreenText) => screen.filter((line) => BAR_ROW.test(line));
const secondsLeft = (screen: ScreenText) => {
  const rows = screen.filter((line) => line.includes('waiting'));
  expect(rows).toHaveLength(1);
  return Number(WAIT_ROW.exec(rows[0] ?? '')?.[1]);
};

describe('the progress display on a terminal', () => {
  let run: PtyResult;
  let screen: RenderedScreen;
  const at = (mark: string): ScreenText => {
    const marked = screen.marks.get(mark);
    if (!marked) throw new Error(`the driver wrote no screen mark ${mark}`);
    return marked;
  };

  beforeAll(async () => {
    run = await runInPty([process.execPath, '--import', 'tsx', 'test/helpers/drive-console-display.ts'], SIZE);
    screen = await renderScreen(run.output, SIZE);
  }, 60_000);

  it('runs under the pseudo-terminal and exits 0', () => {
    expect(run.code).toBe(0);
    expect(at('after-warning')[0]).toBe('job pty-job: run over 1000 source rows');
  });

  it('redraws in place: one bar row on the screen at every moment, at its final state at the end', () => {
    for (const mark of ['after-warning', 'waiting', 'waiting-later', 'waited']) expect(barRows(at(mark)), mark).toHaveLength(1);
    const [bar] = barRows(screen.final);
    expect(barRows(screen.final)).toEqual([expect.stringMatching(/^\S+ 100% \| 1000\/1000 rows /)]);
    const row = screen.final.indexOf(bar ?? '');
    expect(screen.final[row + 1]).toBe('  created 900 updated 0 unchanged 0 rejected 100 conflicts 0 failed 0');
    expect(screen.final.filter((line) => line.includes('created 900 updated'))).toHaveLength(1);
  });

  it('prints warnings whole, once, above the display, and the display goes on below them', () => {
    expect(at('after-warning').filter((line) => line.includes('WARNING'))).toEqual([WARNING]);
    const afterWarning = at('after-warning');
    expect(afterWarning.indexOf(WARNING)).toBeLessThan(afterWarning.findIndex((line) => BAR_ROW.test(line)));
    const final = screen.final;
    expect(final.filter((line) => line.includes('WARNING'))).toEqual([WARNING, 'WARNING-LAST given just before stop(), which must still show it']);
    expect(final.indexOf('WARNING-LAST given just before stop(), which must still show it')).toBeLessThan(final.findIndex((line) => BAR_ROW.test(line)));
    expect(run.output).not.toContain('jane.doe@example.com');
    expect(run.output).not.toContain('dyn_abcdefghijklmnop');
  });

  it('says why the loader waits and counts down on its own redraws, and the row goes when the wait ends', () => {
    const first = secondsLeft(at('waiting'));
    expect(first).toBeGreaterThan(3);
    expect(first).toBeLessThanOrEqual(12);
    // The driver's clock skipped 3 s with no event: only a redraw can have moved the count.
    expect(secondsLeft(at('waiting-later'))).toBeLessThanOrEqual(first - 3);
    expect(at('waited').filter((line) => line.includes('waiting'))).toEqual([]);
    expect(screen.final.filter((line) => line.includes('waiting'))).toEqual([]);
  });

  it('leaves the screen clean for the summary: every line of it whole, right below the display', () => {
    const final = screen.final;
    const start = final.indexOf('Summary of job pty-job');
    expect(start).toBeGreaterThan(0);
    expect(final[start - 1]).toBe('');
    expect(final[start - 2]).toBe('  created 900 updated 0 unchanged 0 rejected 100 conflicts 0 failed 0');
    expect(final.slice(start + 1, start + 9)).toEqual([
      '  extracted                   1000',
      '  created                     900',
      '  updated                     0',
      '  already there (ours)        0',
      '  conflicts (someone else\'s)  0',
      '  rejected locally            100',
      '  failed remotely             0',
      '  check                       ok: 1000 accounted for of 1000 extracted',
    ]);
    expect(final).toContain('  stopped early: connection to postgres://admin:[redacted]@db.internal/legacy lost while reading j…m (20 chars); run the same command again to resume');
    expect(final.at(-1)).toBe('Checkpoint: /tmp/checkpoints/pty-job.db (id map: dynamic-migrate export idmap --job pty-job)');
    expect(run.output).not.toContain('hunter22');
  });
});
