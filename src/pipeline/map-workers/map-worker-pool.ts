import { Worker } from 'node:worker_threads';
import type { KeyRange } from '../../extract/index.js';
import { errorFromData } from './worker-messages.js';
import type { MappedRow, MapWorkerData, WorkerReply, WorkerRequest } from './worker-messages.js';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);
/** A worker asked to close gets this long to end its database connection before it is terminated. */
const CLOSE_GRACE_MS = 2_000;

interface Pending {
  resolve: (rows: MappedRow[]) => void;
  reject: (error: Error) => void;
}

/** One map worker thread, seen as a function from key range to mapped rows. */
class MapWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private broken: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type !== 'page' && reply.type !== 'page-failed') return;
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'page') pending?.resolve(reply.rows);
      else pending?.reject(errorFromData(reply.error));
    });
    worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => worker.once('exit', (code) => {
      this.fail(new Error(`a map worker stopped unexpectedly (exit code ${code})`));
      resolve();
    }));
  }

  /** Pages handed to this worker and not yet answered: the pool gives the next page to the least loaded. */
  get load(): number {
    return this.pending.size;
  }

  map(range: KeyRange): Promise<MappedRow[]> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    const answer = new Promise<MappedRow[]>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.send({ type: 'page', id, range });
    return answer;
  }

  async close(): Promise<void> {
    this.send({ type: 'close' });
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private send(request: WorkerRequest): void {
    if (!this.broken) this.worker.postMessage(request);
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const pending of this.pending.values()) pending.reject(this.broken);
    this.pending.clear();
  }
}

/** `count` map workers, each ready (mapping loaded, connection configured); closes them all if one cannot start. */
export async function startMapWorkers(count: number, data: MapWorkerData): Promise<MapWorker[]> {
  const started = Array.from({ length: count }, () => {
    const worker = new Worker(ENTRY, { workerData: data });
    const ready = new Promise<void>((resolve, reject) => {
      const onReply = (reply: WorkerReply) => {
        if (reply.type === 'ready') resolve();
        else if (reply.type === 'failed') reject(errorFromData(reply.error));
        else return;
        worker.off('message', onReply);
      };
      worker.on('message', onReply);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`a map worker stopped while starting (exit code ${code})`)));
    });
    return { worker: new MapWorker(worker), ready };
  });
  const outcomes = await Promise.allSettled(started.map((item) => item.ready));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  const workers = started.map((item) => item.worker);
  if (failure) {
    await Promise.all(workers.map((worker) => worker.close()));
    throw failure.reason;
  }
  return workers;
}

export type { MapWorker };
