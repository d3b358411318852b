export function databaseUrl(): string
export function providerOf(url: string): 'sqlite' | 'postgresql'
export function deploy(opts?: { quiet?: boolean }): Promise<void>
export function reset(opts?: { quiet?: boolean }): Promise<void>
