export function databaseUrl(): string
export function providerOf(url: string): 'sqlite' | 'postgresql'
export function deploy(opts?: { quiet?: boolean }): Promise<void>
export function reset(opts?: { quiet?: boolean }): Promise<void>
export function openDriver(url?: string): Promise<{
  provider: 'sqlite' | 'postgresql'
  query(sql: string): Promise<Record<string, unknown>[]>
  exec(sql: string): Promise<void>
  close(): Promise<void>
}>
