import { countChangedRows, countSourceRows, databaseNow, formatChangeCursor, parseChangeCursor } from '../extract/index.js';
import type { ChangeCursor, SourceDb, SourceSpec } from '../extract/index.js';
import { CheckpointError } from '../errors.js';
import type { RowMapper } from '../mapping/index.js';
import { parallelFullPass } from './map-workers/parallel-full-pass.js';
import type { ParallelPassOptions } from './map-workers/parallel-full-pass.js';
import { changesPass, childrenPass, fullPass, inDoubtPass } from './migration-passes.js';
import { runMigration } from './run-migration.js';
import type { MigrationDeps, MigrationOptions, MigrationPass } from './run-migration.js';
import { combineSummaries, emptyCounts } from './run-summary.js';
import type { RunCounts, RunSummary } from './run-summary.js';
import type { Journal, ResumePoint } from './journal.js';

/** What a run announces before it reads: the rows it expects and where it starts. */
export interface RunStart {
  phase: ResumePoint['phase'];
  total: number;
  resumedFrom: string | null;
  inDoubt: number;
  /** Incremental runs: the frozen upper bound (database time). */
  upperBound?: string;
}

export interface PassesDeps extends Omit<MigrationDeps, 'pass' | 'inDoubtKeys' | 'inDoubtDetails'> {
  source: SourceDb;
  spec: SourceSpec;
  mapRow: RowMapper;
  journal: Journal;
  started?(start: RunStart): void;
  /** Read and map the full pass in worker threads (see `parallelFullPass`); absent: in this thread. */
  parallel?: ParallelPassOptions;
}

export interface PassesOptions extends MigrationOptions {
  /** Rows changed less than this many seconds ago (database clock) are left for the next run. @default 300 */
  lagSeconds: number;
}

/** A pass that ended with every row's fate known: only then may the job's phase or a watermark move on. */
const clean = (summary: RunSummary) => !stopped(summary) && summary.inDoubt === 0;
/** A pass stopped by a signal or a fatal error: the passes after it wait for the next run. */
const stopped = (summary: RunSummary) => summary.interrupted || summary.fatalError !== undefined;

/**
 * One run of a job, in whichever phase it is. The first run records where incremental reads will
 * start (`now() - lag` by the database clock) before reading anything, then walks the primary key;
 * when that full pass has settled everything and the mapping has a change cursor, the job turns
 * incremental. An incremental run freezes `upper = now() - lag`, reads the rows changed since the
 * cursor up to it, then, for each child and lookup with a `changeColumn`, the users whose rows there changed
 * since that child's watermark; a watermark only moves when its pass settled cleanly. Either way
 * the users an earlier run left in doubt are replayed first (`in_doubt` pass).
 *
 * `killPoint` names, for tests: `resume:discarded` (unsettled batches moved into doubt),
 * `resume:since-recorded`, `resume:counted`, and `<pass>:answered` (see runMigration).
 */
export async function runPasses(deps: PassesDeps, options: PassesOptions): Promise<RunSummary> {
  const { resume, base, replay } = await resumeWithReplay(deps, options);
  const { inDoubtKeys } = base;
  if (resume.phase === 'full') {
    const since = options.dryRun ? null : await deps.journal.recordIncrementalSince(await databaseNow(deps.source, options.lagSeconds));
    deps.killPoint?.('resume:since-recorded');
    const total = await countSourceRows(deps.source, deps.spec, { after: resume.cursor });
    deps.killPoint?.('resume:counted');
    deps.started?.({ phase: 'full', total: total + inDoubtKeys.size, resumedFrom: resume.cursor, inDoubt: inDoubtKeys.size });
    const pageOptions = { after: resume.cursor, pageSize: options.pageSize };
    const pass = deps.parallel ? parallelFullPass(deps.source, deps.spec, deps.parallel, pageOptions) : fullPass(deps.source, deps.spec, deps.mapRow, pageOptions);
    const summary = await runInOrder(base, [...replay, { pass }], options);
    if (since !== null && deps.spec.changeCursor && clean(summary)) {
      await deps.journal.enterIncremental(formatChangeCursor({ at: since, key: '' }));
    }
    return { ...summary, phase: 'full' };
  }

  const since = resume.incrementalSince;
  if (since === null) throw new CheckpointError('the job is incremental but never recorded where its changes start', { code: 'checkpoint_damaged' });
  const upper = await databaseNow(deps.source, options.lagSeconds);
  const after = changeCursorOf(resume.cursor, since);
  const total = await countChangedRows(deps.source, deps.spec, after, upper);
  deps.killPoint?.('resume:counted');
  deps.started?.({ phase: 'incremental', total: total + inDoubtKeys.size, resumedFrom: resume.cursor, inDoubt: inDoubtKeys.size, upperBound: upper });

  const passes: PassInOrder[] = [...replay, { pass: changesPass(deps.source, deps.spec, deps.mapRow, { after, upper, pageSize: options.pageSize }) }];
  // A lookup's watermark is kept as `lookup:<name>`: never a child's of the same name from an earlier mapping.
  const related = [
    ...Object.entries(deps.spec.children ?? {}).map(([name, child]) => ({ name, watermark: name, changeColumn: child.changeColumn })),
    ...Object.entries(deps.spec.lookups ?? {}).map(([name, lookup]) => ({ name, watermark: `lookup:${name}`, changeColumn: lookup.changeColumn })),
  ];
  for (const { name, watermark, changeColumn } of related) {
    if (!changeColumn) continue;
    const childSince = resume.childWatermarks[watermark] ?? since;
    passes.push({ child: watermark, pass: childrenPass(deps.source, deps.spec, deps.mapRow, { child: name, since: childSince, upper, pageSize: options.pageSize }) });
  }
  const summary = await runInOrder(base, passes, options, async (child) => deps.journal.setChildWatermark(child, upper));
  return { ...summary, phase: 'incremental', upperBound: upper };
}

/**
 * One chunk of a scaled-out full pass (`after < primary key <= last`), in the chunk's own scope of
 * the checkpoint: the users an earlier attempt at it left in doubt (a killed worker's, a lost
 * answer's) are replayed first, exactly as a resumed run replays them, then the chunk's rows are
 * read from its cursor. The job's phase and its incremental start are the whole job's business
 * (see scale/), never a chunk's.
 */
export async function runChunkPasses(deps: PassesDeps, options: MigrationOptions & { last: string | null }): Promise<RunSummary> {
  const { resume, base, replay } = await resumeWithReplay(deps, options);
  if (resume.phase !== 'full') throw new CheckpointError('a chunk of a full pass was opened in an incremental scope', { code: 'checkpoint_phase' });
  const total = await countSourceRows(deps.source, deps.spec, { after: resume.cursor, last: options.last });
  deps.killPoint?.('resume:counted');
  deps.started?.({ phase: 'full', total: total + base.inDoubtKeys.size, resumedFrom: resume.cursor, inDoubt: base.inDoubtKeys.size });
  const pass = fullPass(deps.source, deps.spec, deps.mapRow, { after: resume.cursor, last: options.last, pageSize: options.pageSize });
  return { ...await runInOrder(base, [...replay, { pass }], options), phase: 'full' };
}

/**
 * Where a run starts (the batches an earlier one left unsettled are moved into doubt), and the
 * pass that replays the users in doubt first, wherever they are in the source.
 */
async function resumeWithReplay(deps: PassesDeps, options: MigrationOptions) {
  const resume = await deps.journal.resumePoint();
  deps.killPoint?.('resume:discarded');
  // Shared by the passes of this run: a key leaves it once a batch settles it.
  const inDoubtKeys = new Set(resume.inDoubtKeys);
  const base = { ...deps, inDoubtKeys, inDoubtDetails: resume.inDoubtDetails };
  const onMissing = (keys: string[]) => deps.recorder.warn(
    `${keys.length} user(s) left in doubt are no longer selected by the source (deleted or filtered out; e.g. legacy id ${keys[0]}): `
      + 'they stay in doubt (see status); a user an earlier attempt created for them may be in Dynamic (reconcile lists it)',
  );
  const replay: PassInOrder[] = inDoubtKeys.size === 0 ? [] : [{ pass: inDoubtPass(deps.source, deps.spec, deps.mapRow, { keys: [...inDoubtKeys], pageSize: options.pageSize, onMissing }) }];
  return { resume, base, replay };
}

interface PassInOrder {
  pass: MigrationPass;
  /** A changed-children (or lookup) pass: the watermark that moves once it settled cleanly. */
  child?: string;
}

/**
 * Runs passes one after the other as one run: progress counted across them, and a pass that
 * stopped (a signal, a fatal error) leaves the rest for the next run.
 */
async function runInOrder(
  base: Omit<MigrationDeps, 'pass'>,
  passes: PassInOrder[],
  options: MigrationOptions,
  childSettled?: (child: string) => Promise<void>,
): Promise<RunSummary> {
  let summary: RunSummary | undefined;
  let done: RunCounts = emptyCounts();
  for (const { pass, child } of passes) {
    if (summary && stopped(summary)) break;
    const offset = done;
    const progress = (counts: Readonly<RunCounts>) => base.recorder.progress(addCounts(offset, counts));
    const result = await runMigration({ ...base, recorder: { ...base.recorder, progress }, pass }, options);
    if (child !== undefined && clean(result)) await childSettled?.(child);
    summary = summary ? combineSummaries(summary, result) : result;
    done = addCounts(emptyCounts(), summary);
  }
  return summary as RunSummary;
}

/** The job's cursor as a change cursor; before any settled batch, every change since `since`. */
function changeCursorOf(cursor: string | null, since: string): ChangeCursor {
  if (cursor === null) return { at: since, key: '' };
  try {
    return parseChangeCursor(cursor);
  } catch (error) {
    throw new CheckpointError(`the job's change cursor is damaged: ${(error as Error).message}`, { code: 'checkpoint_damaged' }, { cause: error });
  }
}

function addCounts(a: Readonly<RunCounts>, b: Readonly<RunCounts>): RunCounts {
  const sum = emptyCounts();
  for (const key of Object.keys(sum) as Array<keyof RunCounts>) sum[key] = a[key] + b[key];
  return sum;
}
