// A worker thread's entry: registers tsx's loader in this thread (on Node 20
// an `--import`ed loader does not reach a worker's entry), then loads the
// TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./evaluate-worker.ts');
