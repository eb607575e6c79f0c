// Entry of an execution environment's worker thread. The main thread runs TypeScript through the
// tsx loader (`node --import tsx`), but on Node 20 loader hooks do not reach worker threads and
// tsx registers them on the main thread only; so the worker loads its TypeScript entry through
// tsx's own API, scoped to the modules imported from it.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
