// A cluster primary as `npm start` runs it (scripts/web-processes.mjs), over a small web process (child.ts) instead of
// Next's server, so the test needs no production build: two processes on one port, restarted quickly after a crash.
import path from 'node:path'
import { startWebProcesses } from '@/scripts/web-processes.mjs'

const [port, processes] = process.argv.slice(2)
const web = startWebProcesses({
  processes: Number(processes),
  exec: path.join(import.meta.dirname, 'child.ts'),
  args: [port],
  onStart: (child) => child.stdout?.pipe(process.stdout),
  onGiveUp: () => process.exit(1),
  policy: { baseDelayMs: 100, maxDelayMs: 100 },
})
process.on('SIGTERM', () => void web.stop().then(() => process.exit(0)))
