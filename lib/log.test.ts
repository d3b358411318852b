import { describe, expect, it } from 'vitest'
import { logger, scrubSecrets, setLogDestination } from './log'

const TOKEN = 'cust_Ab3dEf7h' + 'X'.repeat(28) + 'q1W2e3'

describe('scrubSecrets', () => {
  it('cuts Custodian tokens, JWTs and bearer credentials from any text', () => {
    expect(scrubSecrets(`calling with ${TOKEN} now`)).toBe('calling with [redacted] now')
    expect(scrubSecrets('{"h":"Bearer abc.def-ghi"}')).toBe('{"h":"Bearer [redacted]"}')
    expect(scrubSecrets('jwt eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl end')).toBe('jwt [redacted] end')
  })
  it('leaves ordinary text alone', () => {
    const line = '{"msg":"api call","tokenId":"cm4abc","route":"/identities","customer":"cust_1"}'
    expect(scrubSecrets(line)).toBe(line)
  })
})

describe('logger', () => {
  it('writes JSON lines with the component and redacts secret fields', () => {
    const lines: string[] = []
    setLogDestination({ write: (l: string) => void lines.push(l) })
    try {
      logger('worker').info({ jobId: 'j1', password: 'p4ssw0rd-value', headers: { authorization: 'Basic dXNlcjpwYXNz', cookie: 'session=abc' } }, 'job run')
    } finally {
      setLogDestination(undefined)
    }
    expect(lines).toHaveLength(1)
    const line = JSON.parse(lines[0]) as Record<string, unknown>
    expect(line).toMatchObject({ level: 'info', component: 'worker', name: 'custodian', jobId: 'j1', msg: 'job run', password: '[redacted]' })
    expect(line.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' })
    expect(lines[0]).not.toContain('dXNlcjpwYXNz')
  })
})
