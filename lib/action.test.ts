import { beforeEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'

const calls: string[] = []
vi.mock('next/cache', () => ({ revalidatePath: vi.fn((path: string, type?: string) => calls.push(`revalidate ${path}${type ? ` ${type}` : ''}`)) }))
vi.mock('@/lib/audit/record', () => ({ recordDenied: vi.fn(async () => calls.push('denied')) }))
vi.mock('@/lib/auth/session', () => ({
  requireOrgContext: vi.fn(async (slug: string) => {
    calls.push('context')
    return {
      org: { id: 'o1', slug, name: 'Acme' },
      user: { id: 'u1', name: 'Ann', email: 'ann@example.com' },
      role: slug === 'read-only' ? 'auditor' : 'admin',
      actor: { type: 'user', id: 'u1', label: 'ann@example.com' },
    }
  }),
}))

const { orgAction } = await import('./action')
const { ConflictError } = await import('./errors')

const schema = z.object({ orgSlug: z.string(), id: z.string().min(2) })

describe('orgAction revalidate', () => {
  beforeEach(() => {
    calls.length = 0
  })

  it('re-renders the named pages under the organization after a successful run, the whole organization for ""', async () => {
    const action = orgAction({
      schema,
      permission: 'member:manage',
      revalidate: (input) => ['/settings', `/identities/${input.id}`, ''],
      run: async ({ input }) => {
        calls.push('run')
        return input.id
      },
    })
    expect(await action({ orgSlug: 'acme', id: 'x1' })).toEqual({ ok: true, data: 'x1' })
    expect(calls).toEqual(['context', 'run', 'revalidate /acme/settings', 'revalidate /acme/identities/x1', 'revalidate /acme layout'])
  })

  it('re-renders nothing when the input, the role or the run is refused', async () => {
    const action = orgAction({
      schema,
      permission: 'member:manage',
      revalidate: '/settings',
      run: async ({ input }) => {
        if (input.id === 'taken') throw new ConflictError('Already there.')
        return null
      },
    })
    expect(await action({ orgSlug: 'acme', id: 'x' })).toMatchObject({ ok: false, fieldErrors: { id: expect.any(Array) } })
    expect(await action({ orgSlug: 'read-only', id: 'x1' })).toEqual({ ok: false, error: 'You do not have permission to do this.' })
    expect(await action({ orgSlug: 'acme', id: 'taken' })).toEqual({ ok: false, error: 'Already there.' })
    expect(calls).toEqual(['context', 'denied', 'context'])
  })
})
