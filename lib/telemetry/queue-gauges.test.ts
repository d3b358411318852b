import { describe, expect, it } from 'vitest'
import { queueGauges } from './queue-gauges'

const NOW = Date.parse('2026-12-02T12:00:00Z')
const ago = (s: number) => new Date(NOW - s * 1000)

describe('queueGauges', () => {
  it('reports every known type, 0 when nothing waits', () => {
    const g = queueGauges([], ['a', 'b'], NOW)
    expect(g.depth).toHaveLength(6)
    expect(g.depth.every((d) => d.value === 0)).toBe(true)
    expect(g.age).toEqual([
      { type: 'a', value: 0 },
      { type: 'b', value: 0 },
    ])
  })

  it('takes the age from the oldest due queued or retrying job, not from running or future ones', () => {
    const g = queueGauges(
      [
        { type: 'a', status: 'queued', count: 3, oldestRunAt: ago(90) },
        { type: 'a', status: 'retrying', count: 1, oldestRunAt: ago(300) },
        { type: 'a', status: 'running', count: 2, oldestRunAt: ago(9999) },
        { type: 'b', status: 'queued', count: 1, oldestRunAt: ago(-600) },
        { type: 'gone', status: 'queued', count: 4, oldestRunAt: ago(5) },
      ],
      ['a', 'b'],
      NOW,
    )
    const depth = (type: string, status: string) => g.depth.find((d) => d.type === type && d.status === status)?.value
    expect(depth('a', 'queued')).toBe(3)
    expect(depth('a', 'running')).toBe(2)
    expect(depth('b', 'retrying')).toBe(0)
    // A type no longer registered still shows (its jobs are real and wait).
    expect(depth('gone', 'queued')).toBe(4)
    expect(Object.fromEntries(g.age.map((a) => [a.type, a.value]))).toEqual({ a: 300, b: 0, gone: 5 })
  })
})
