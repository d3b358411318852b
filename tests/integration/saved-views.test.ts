import { describe, expect, it } from 'vitest'
import { verifyAuditChain } from '@/lib/audit/queries'
import { db } from '@/lib/db'
import { ConflictError, ForbiddenError, NotFoundError } from '@/lib/errors'
import { createSavedView, deleteSavedView, updateSavedView } from '@/lib/saved-views/mutations'
import { listSavedViews } from '@/lib/saved-views/queries'
import { createSavedViewSchema } from '@/lib/saved-views/schemas'
import { createOrg, engine } from './fixtures'

const audits = (orgId: string, action: string) => db.auditEvent.findMany({ where: { orgId, action }, orderBy: { seq: 'asc' } })

describe(`saved views (${engine})`, () => {
  it('saves the canonical view, audited, and lists it only to its owner until shared', async () => {
    const { org, people, ctx } = await createOrg()
    const input = createSavedViewSchema.parse({
      orgSlug: org.slug,
      name: '  Unowned bots ',
      params: 'kind=bot&kind=api_key&owner=unowned&page=4&utm=x&sort=name&dir=asc',
    })
    const v = await createSavedView(ctx('member'), input)
    expect(v).toMatchObject({ name: 'Unowned bots', shared: false, query: 'kind=bot%2Capi_key&owner=unowned&sort=name&dir=asc' })
    const stored = await db.savedView.findUniqueOrThrow({ where: { id: v.id } })
    expect(JSON.parse(stored.params)).toEqual({ kind: 'bot,api_key', owner: 'unowned', sort: 'name', dir: 'asc' })
    expect(stored).toMatchObject({ orgId: org.id, ownerId: people.member.id })
    const [row] = await audits(org.id, 'saved-view.create')
    expect(row).toMatchObject({ actorId: people.member.id, targetType: 'saved-view', targetId: v.id, targetLabel: 'Unowned bots', outcome: 'success' })
    expect(JSON.parse(row.details)).toMatchObject({ shared: false, params: { kind: 'bot,api_key', owner: 'unowned' } })

    expect((await listSavedViews(ctx('member'))).views.map((x) => x.name)).toEqual(['Unowned bots'])
    // Another person's personal view does not exist for anyone else, admins included.
    expect((await listSavedViews(ctx('admin'))).views).toEqual([])
    await expect(deleteSavedView(ctx('admin'), v.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(updateSavedView(ctx('governance'), { viewId: v.id, name: 'Mine now' })).rejects.toBeInstanceOf(NotFoundError)
    expect((await verifyAuditChain(ctx('admin'))).ok).toBe(true)
  })

  it('refuses a second view of the same name for one person, but not for another', async () => {
    const { ctx } = await createOrg()
    await createSavedView(ctx('governance'), { name: 'Prod keys', params: 'env=production&kind=api_key', shared: false })
    await expect(createSavedView(ctx('governance'), { name: 'Prod keys', params: 'env=staging', shared: false })).rejects.toBeInstanceOf(ConflictError)
    await expect(createSavedView(ctx('governance'), { name: 'Prod keys', params: 'env=staging', shared: false })).rejects.toThrow(
      /already have a view named “Prod keys”/,
    )
    await expect(createSavedView(ctx('admin'), { name: 'Prod keys', params: 'env=staging', shared: false })).resolves.toMatchObject({ name: 'Prod keys' })
    const other = await createSavedView(ctx('governance'), { name: 'Staging', params: 'env=staging', shared: false })
    await expect(updateSavedView(ctx('governance'), { viewId: other.id, name: 'Prod keys' })).rejects.toBeInstanceOf(ConflictError)
  })

  it('shares only for admins and governance; shared views are listed to everyone, changed only by their owner', async () => {
    const { org, people, ctx } = await createOrg()
    await expect(createSavedView(ctx('member'), { name: 'Everyone sees this', params: 'kind=bot', shared: true })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(createSavedView(ctx('auditor'), { name: 'Everyone sees this', params: 'kind=bot', shared: true })).rejects.toBeInstanceOf(ForbiddenError)
    const personal = await createSavedView(ctx('member'), { name: 'Mine', params: 'kind=bot', shared: false })
    await expect(updateSavedView(ctx('member'), { viewId: personal.id, shared: true })).rejects.toBeInstanceOf(ForbiddenError)
    expect(await db.savedView.count({ where: { orgId: org.id, shared: true } })).toBe(0)

    const shared = await createSavedView(ctx('governance'), { name: 'Overprivileged in production', params: 'finding=NHI5&env=production', shared: true })
    for (const role of ['admin', 'member', 'auditor'] as const) {
      const list = await listSavedViews(ctx(role))
      const dto = list.views.find((x) => x.id === shared.id)
      expect(dto, role).toMatchObject({
        shared: true,
        mine: false,
        ownerName: people.governance.name,
        query: 'env=production&finding=NHI5',
        canEdit: false,
        canDelete: role === 'admin',
      })
    }
    await expect(updateSavedView(ctx('admin'), { viewId: shared.id, name: 'Renamed by someone else' })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(deleteSavedView(ctx('member'), shared.id)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(deleteSavedView(ctx('auditor'), shared.id)).rejects.toBeInstanceOf(ForbiddenError)
    expect(await db.savedView.count({ where: { id: shared.id } })).toBe(1)

    // The owner renames it and replaces its filters; each change is audited with before and after.
    const renamed = await updateSavedView(ctx('governance'), {
      viewId: shared.id,
      name: 'NHI5 in production',
      params: 'finding=NHI5&env=production&sort=name&dir=asc',
    })
    expect(renamed).toMatchObject({ name: 'NHI5 in production', shared: true, query: 'env=production&finding=NHI5&sort=name&dir=asc' })
    const [upd] = await audits(org.id, 'saved-view.update')
    expect(JSON.parse(upd.details)).toMatchObject({
      name: { from: 'Overprivileged in production', to: 'NHI5 in production' },
      params: { to: { sort: 'name' } },
    })

    // An admin removes someone else's shared view, audited.
    await deleteSavedView(ctx('admin'), shared.id)
    expect(await db.savedView.count({ where: { id: shared.id } })).toBe(0)
    const [del] = await audits(org.id, 'saved-view.delete')
    expect(del).toMatchObject({ actorId: people.admin.id, targetId: shared.id, targetLabel: 'NHI5 in production' })
    expect(JSON.parse(del.details)).toMatchObject({ shared: true, ownerId: people.governance.id })

    // Anyone may take their own view back to personal, and delete it.
    const own = await createSavedView(ctx('governance'), { name: 'Temp', params: '', shared: true })
    const demoted = { ...ctx('governance'), role: 'member' as const }
    await expect(updateSavedView(demoted, { viewId: own.id, shared: false })).resolves.toMatchObject({ shared: false })
    await deleteSavedView(demoted, own.id)
    expect(await db.savedView.count({ where: { id: own.id } })).toBe(0)
    expect((await verifyAuditChain(ctx('admin'))).ok).toBe(true)
  })

  it('answers NotFound for another organization’s view, shared or not, and changes nothing', async () => {
    const a = await createOrg()
    const b = await createOrg()
    const shared = await createSavedView(a.ctx('admin'), { name: 'Shared in A', params: 'kind=bot', shared: true })
    expect((await listSavedViews(b.ctx('admin'))).views).toEqual([])
    await expect(updateSavedView(b.ctx('admin'), { viewId: shared.id, name: 'Hijacked' })).rejects.toBeInstanceOf(NotFoundError)
    await expect(deleteSavedView(b.ctx('admin'), shared.id)).rejects.toBeInstanceOf(NotFoundError)
    expect(await db.savedView.findUniqueOrThrow({ where: { id: shared.id } })).toMatchObject({ name: 'Shared in A', orgId: a.org.id })
    expect(await db.auditEvent.count({ where: { orgId: b.org.id, action: { startsWith: 'saved-view.' } } })).toBe(0)
  })
})
