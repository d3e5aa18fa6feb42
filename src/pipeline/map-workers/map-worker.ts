import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '../../errors.js';
import { connectSource, readKeyRange } from '../../extract/index.js';
import type { SourceDb } from '../../extract/index.js';
import { compileMapping, loadMappingFile } from '../../mapping/index.js';
import type { RowMapper } from '../../mapping/index.js';
import { errorData } from './worker-messages.js';
import type { MapWorkerData, WorkerReply, WorkerRequest } from './worker-messages.js';

// One map worker: reads the key ranges it is handed (rows and children, on its own read-only
// connection) and maps every row. Only map results go back to the coordinator, never raw rows.

const port = parentPort;
if (!port) throw new Error('map-worker.ts runs as a worker thread (see parallel-full-pass.ts)');
const reply = (message: WorkerReply) => port.postMessage(message);
const data = workerData as MapWorkerData;

async function start(): Promise<{ db: SourceDb; mapRow: RowMapper }> {
  const mapping = await loadMappingFile(data.mappingFile);
  if (mapping.hash !== data.mappingHash) throw new ConfigError(`the mapping file ${data.mappingFile} changed while the run was starting; run again`);
  return { db: connectSource(data.databaseUrl), mapRow: compileMapping(mapping.spec) };
}

try {
  const { db, mapRow } = await start();
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'close') {
      void db.destroy().finally(() => port.close());
      return;
    }
    const { id, range } = request;
    readKeyRange(db, data.sourceSpec, range)
      .then((rows) => reply({ type: 'page', id, rows: rows.map((row) => ({ key: row.key, result: mapRow(row) })) }))
      .catch((error: unknown) => reply({ type: 'page-failed', id, error: errorData(error) }));
  });
  reply({ type: 'ready' });
} catch (error) {
  reply({ type: 'failed', error: errorData(error) });
}
