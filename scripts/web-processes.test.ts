import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_WEB_PROCESSES, webProcessCount } from './web-processes.mjs'

describe('webProcessCount', () => {
  it('runs one web process in demo mode and one per core, up to the default cap, in a configured deployment', () => {
    expect(webProcessCount({}, { demo: true, cores: 8 })).toBe(1)
    expect(webProcessCount({}, { demo: false, cores: 2 })).toBe(2)
    expect(webProcessCount({}, { demo: false, cores: 1 })).toBe(1)
    expect(webProcessCount({}, { demo: false, cores: 64 })).toBe(DEFAULT_MAX_WEB_PROCESSES)
  })

  it('takes CUSTODIAN_WEB_PROCESSES as given, in either mode', () => {
    expect(webProcessCount({ CUSTODIAN_WEB_PROCESSES: '3' }, { demo: true, cores: 2 })).toBe(3)
    expect(webProcessCount({ CUSTODIAN_WEB_PROCESSES: ' 1 ' }, { demo: false, cores: 8 })).toBe(1)
    expect(webProcessCount({ CUSTODIAN_WEB_PROCESSES: '' }, { demo: false, cores: 2 })).toBe(2)
  })

  it('refuses a value that is not a whole number from 1 to 32, naming the variable', () => {
    for (const bad of ['0', '33', '-1', '1.5', 'two', '2x']) {
      expect(() => webProcessCount({ CUSTODIAN_WEB_PROCESSES: bad }, { demo: false, cores: 2 }), bad).toThrow(
        `CUSTODIAN_WEB_PROCESSES must be a whole number from 1 to 32, not "${bad}".`,
      )
    }
  })
})
