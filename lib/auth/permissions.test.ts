import { describe, expect, it } from 'vitest'
import { can, isRole, PERMISSIONS, ROLES } from './permissions'

describe('permission map', () => {
  it('gives admins every permission', () => {
    for (const p of PERMISSIONS) expect(can('admin', p)).toBe(true)
  })
  it('keeps auditors read-only', () => {
    const writes = PERMISSIONS.filter((p) => !/:read|:read-all|:verify|report:export/.test(p))
    for (const p of writes) expect(can('auditor', p), p).toBe(false)
    expect(can('auditor', 'audit:read')).toBe(true)
  })
  it('refuses members the admin pages and bulk ownership', () => {
    expect(can('member', 'member:manage')).toBe(false)
    expect(can('member', 'identity:assign-owner')).toBe(false)
    expect(can('member', 'audit:read')).toBe(false)
    expect(can('member', 'review:decide')).toBe(true)
  })
  it('lets governance run campaigns but not manage members', () => {
    expect(can('governance', 'campaign:manage')).toBe(true)
    expect(can('governance', 'member:manage')).toBe(false)
  })
  it('recognises roles', () => {
    for (const r of ROLES) expect(isRole(r)).toBe(true)
    expect(isRole('owner')).toBe(false)
    expect(isRole(undefined)).toBe(false)
  })
})
