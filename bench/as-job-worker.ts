// Imported by the benchmarks of large writes (imports, launch, bulk assignment, findings): they run as the job worker
// process does (scripts/worker.ts), with SQLite's WAL checkpoints on a thread. BENCH_CHECKPOINT_THREAD=0 measures without.
import { allowCheckpointThread } from '@/lib/sql/checkpoints'

if (process.env.BENCH_CHECKPOINT_THREAD !== '0') allowCheckpointThread()
