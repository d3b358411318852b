export type DemoMode = {
  demo: boolean
  /** on because nothing is configured (not because CUSTODIAN_DEMO=true) */
  byDefault: boolean
  /** where `npm start` listens: HOST, else 127.0.0.1 when demo mode is on by default, else Next's default */
  host: string | undefined
  /** one phrase for the log: why demo mode is on or off */
  reason: string
}
export function demoMode(env: Record<string, string | undefined>): DemoMode
export function resolveAuthSecret(env: Record<string, string | undefined>, opts: { dataDir: string; production: boolean; demo: boolean }): string
