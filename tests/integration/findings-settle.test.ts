import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { recomputeFindingsForOrg } from '@/lib/findings/recompute'
import { drainJobs } from '@/lib/jobs/worker'
import { listIdentities } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
import { removeMember } from '@/lib/members/mutations'
import { assignOwner, decideTransfer, requestTransfer, startBulkAssignByFilter } from '@/lib/ownership/mutations'
import { getMyOverview } from '@/lib/ownership/queries'
import { markRemediationDone, requestRemediation } from '@/lib/remediation/mutations'
import { addIdentity, createOrg, engine, uid } from './fixtures'

// A change that settles a finding settles it in its own transaction: no org-wide recompute in between.
const DAY = 86_400_000
type Org = Awaited<ReturnType<typeof createOrg>>

async function open(identityId: string) {
  const rows = await db.finding.findMany({ where: { identityId, status: 'open' }, select: { rule: true }, orderBy: { rule: 'asc' } })
  return rows.map((r) => r.rule)
}
const scores = (id: string) => db.identity.findUniqueOrThrow({ where: { id }, select: { riskScore: true, openFindings: true } })

describe(`findings settle with the change that settles them (${engine})`, () => {
  let a: Org
  let simulated: { id: string }
  let manual: { id: string }

  beforeAll(async () => {
    a = await createOrg('Settle A')
    simulated = await db.source.create({ data: { orgId: a.org.id, name: 'sim', type: 'aws', config: JSON.stringify({ simulated: true }) } })
    manual = await db.source.create({ data: { orgId: a.org.id, name: 'by hand', type: 'csv', config: '{}' } })
  })

  it('assigning an owner resolves NHI1 "No owner" and lowers the risk score in the same call, on every page that shows it', async () => {
    const i = await addIdentity(a.org.id, a.source.id, { name: uid('unowned-'), ownerId: null, environment: 'production' })
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await open(i.id)).toEqual(['unowned'])
    expect(await scores(i.id)).toEqual({ riskScore: 25, openFindings: 1 })

    await assignOwner(a.ctx('governance'), { identityIds: [i.id], fields: { ownerId: a.people.member.id } })
    expect(await open(i.id)).toEqual([])
    expect(await scores(i.id)).toEqual({ riskScore: 0, openFindings: 0 })
    expect((await db.finding.findFirstOrThrow({ where: { identityId: i.id, rule: 'unowned' } })).status).toBe('resolved')
    // The new owner's "My identities" and the NHI1 inventory filter agree at once.
    const my = await getMyOverview(a.ctx('member'), 1)
    const row = my.identities.find((x) => x.id === i.id)!
    expect(row).toMatchObject({ riskScore: 0, findings: [], _count: { findings: 0 } })
    const nhi1 = await listIdentities(a.ctx('auditor'), identityListSchema.parse({ finding: 'NHI1' }))
    expect(nhi1.rows.map((r) => r.id)).not.toContain(i.id)

    // Taking the owner away raises it again, also at once.
    await assignOwner(a.ctx('governance'), { identityIds: [i.id], fields: { ownerId: null } })
    expect(await open(i.id)).toEqual(['unowned'])
    expect(await scores(i.id)).toEqual({ riskScore: 25, openFindings: 1 })
  })

  it('bulk assignment by filter (a job) and an accepted hand-off settle their identities batch by batch', async () => {
    const names = uid('bulk-')
    const ids = []
    for (let n = 0; n < 3; n++) ids.push((await addIdentity(a.org.id, a.source.id, { name: `${names}-${n}`, ownerId: null })).id)
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await open(ids[0])).toEqual(['unowned'])
    await startBulkAssignByFilter(a.ctx('governance'), { filter: { q: names }, fields: { ownerId: a.people.member.id }, requestId: uid('r') })
    await drainJobs()
    for (const id of ids) expect(await open(id)).toEqual([])

    // The hand-off's recipient takes over: the previous owner's "owner left" problem goes with it.
    await db.membership.updateMany({ where: { orgId: a.org.id, userId: a.people.member.id }, data: { status: 'active' } })
    await requestTransfer(a.ctx('member'), { identityId: ids[0], toUserId: a.people.governance.id })
    const t = await db.ownershipTransfer.findFirstOrThrow({ where: { identityId: ids[0], status: 'pending' } })
    await db.user.update({ where: { id: a.people.member.id }, data: { active: false } })
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await open(ids[0])).toEqual(['owner-gone'])
    await decideTransfer(a.ctx('governance'), { transferId: t.id, accept: true })
    expect(await open(ids[0])).toEqual([])
    await db.user.update({ where: { id: a.people.member.id }, data: { active: true } })
    await recomputeFindingsForOrg(a.ctx('admin'))
  })

  it('an ownership change re-evaluates the owner rules alone, and leaves the same findings and scores as a full recompute', async () => {
    const names = uid('owners-')
    const gone = await db.user.create({ data: { email: `${uid('gone-')}@example.test`, name: 'Gone' } })
    const unowned = await addIdentity(a.org.id, a.source.id, { name: `${names}-a`, ownerId: null, lastUsedDaysAgo: 400 })
    const ownerGone = await addIdentity(a.org.id, a.source.id, { name: `${names}-b`, ownerId: gone.id, secretAgeDays: 800 })
    const left = await addIdentity(a.org.id, a.source.id, { name: `${names}-c`, ownerId: null, privileged: true })
    const ids = [unowned.id, ownerGone.id, left.id]
    await recomputeFindingsForOrg(a.ctx('admin'))
    const at = new Date()
    await db.finding.create({
      data: {
        orgId: a.org.id,
        identityId: left.id,
        rule: 'owner-left',
        owaspCode: 'NHI1',
        severity: 'high',
        title: 'Owner left',
        firstSeenAt: at,
        lastSeenAt: at,
      },
    })
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await open(unowned.id)).toContain('unowned')
    expect(await open(ownerGone.id)).toContain('owner-gone')
    expect(await open(left.id)).toContain('owner-left')
    const state = async () =>
      Promise.all(
        ids.map(async (id) => ({
          id,
          findings: (await db.finding.findMany({ where: { identityId: id }, select: { rule: true, status: true }, orderBy: { rule: 'asc' } })).map(
            (f) => `${f.rule}:${f.status}`,
          ),
          ...(await scores(id)),
        })),
      )
    // Another rule's finding the settle must not touch: its lastSeenAt stays that of the last full pass.
    const other = await db.finding.findFirstOrThrow({ where: { identityId: unowned.id, rule: { notIn: ['unowned', 'owner-gone', 'owner-left'] } } })

    await startBulkAssignByFilter(a.ctx('governance'), { filter: { q: names }, fields: { ownerId: a.people.member.id }, requestId: uid('r') })
    await drainJobs()
    for (const id of ids) expect(await open(id)).not.toEqual(expect.arrayContaining(['unowned']))
    expect(await open(ownerGone.id)).not.toContain('owner-gone')
    expect(await open(left.id)).not.toContain('owner-left')
    expect((await db.finding.findUniqueOrThrow({ where: { id: other.id } })).lastSeenAt).toEqual(other.lastSeenAt)
    const settled = await state()
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await state()).toEqual(settled)
  })

  it('a revoked credential takes its "unused" and "not rotated" findings with it; a rotated one its "not rotated"', async () => {
    const i = await addIdentity(a.org.id, simulated.id, { ownerId: a.people.member.id })
    const mk = (fingerprint = uid('fp')) =>
      db.credential.create({
        data: {
          orgId: a.org.id,
          identityId: i.id,
          kind: 'token',
          externalId: uid('c'),
          fingerprint,
          createdAt: new Date(Date.now() - 400 * DAY),
          lastUsedAt: new Date(Date.now() - 200 * DAY),
          expiresAt: new Date(Date.now() + 30 * DAY),
        },
      })
    const stale = await mk()
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await open(i.id)).toEqual(['old-secret', 'unused-cred'])
    const before = await scores(i.id)
    expect(before.openFindings).toBe(2)

    await requestRemediation(a.ctx('governance'), { kind: 'revoke_credential', identityId: i.id, credentialId: stale.id, justification: 'unused for months' })
    await drainJobs()
    expect(await db.credential.findUniqueOrThrow({ where: { id: stale.id } })).toMatchObject({ status: 'revoked' })
    expect(await open(i.id)).toEqual([])
    expect(await scores(i.id)).toEqual({ riskScore: 0, openFindings: 0 })

    const old = await db.credential.create({
      data: {
        orgId: a.org.id,
        identityId: i.id,
        kind: 'token',
        externalId: uid('c'),
        fingerprint: uid('fp'),
        createdAt: new Date(Date.now() - 400 * DAY),
        lastUsedAt: new Date(),
        expiresAt: new Date(Date.now() + 30 * DAY),
      },
    })
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await open(i.id)).toEqual(['old-secret'])
    await requestRemediation(a.ctx('governance'), {
      kind: 'rotate_credential',
      identityId: i.id,
      credentialId: old.id,
      justification: 'past the rotation limit',
    })
    await drainJobs()
    expect(await open(i.id)).toEqual([])
  })

  it('revoking a secret also settles the identities it was shared with', async () => {
    const prod = await addIdentity(a.org.id, simulated.id, { ownerId: a.people.member.id, environment: 'production' })
    const dev = await addIdentity(a.org.id, simulated.id, { ownerId: a.people.member.id, environment: 'development' })
    const fp = uid('shared')
    const creds = []
    for (const i of [prod, dev]) {
      creds.push(
        await db.credential.create({
          data: {
            orgId: a.org.id,
            identityId: i.id,
            kind: 'token',
            externalId: uid('c'),
            fingerprint: fp,
            createdAt: new Date(),
            lastUsedAt: new Date(),
            expiresAt: new Date(Date.now() + 30 * DAY),
          },
        }),
      )
    }
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await open(dev.id)).toEqual(['env-mix', 'shared-secret'])
    await requestRemediation(a.ctx('governance'), {
      kind: 'revoke_credential',
      identityId: prod.id,
      credentialId: creds[0].id,
      justification: 'leaked to staging',
    })
    await drainJobs()
    expect(await open(prod.id)).toEqual([])
    expect(await open(dev.id)).toEqual([])
  })

  it('a revoked grant takes its "privileged access unused" finding with it, also when a person marks the task done', async () => {
    for (const src of [simulated, manual]) {
      const i = await addIdentity(a.org.id, src.id, { ownerId: a.people.member.id, privileged: true })
      const res = await db.resource.create({ data: { orgId: a.org.id, sourceId: src.id, externalId: uid('r'), name: 'orders-db', type: 'database' } })
      const ent = await db.entitlement.create({
        data: { orgId: a.org.id, sourceId: src.id, resourceId: res.id, externalId: uid('e'), name: 'iam:PassRole', privileged: true },
      })
      const grant = await db.grant.create({
        data: { orgId: a.org.id, identityId: i.id, entitlementId: ent.id, privileged: true, createdAt: new Date(Date.now() - 200 * DAY), lastUsedAt: null },
      })
      await recomputeFindingsForOrg(a.ctx('admin'))
      expect(await open(i.id)).toEqual(['unused-priv'])
      const { remediation } = await requestRemediation(a.ctx('governance'), {
        kind: 'revoke_grant',
        identityId: i.id,
        grantId: grant.id,
        justification: 'never used',
      })
      await drainJobs()
      if (src === manual) {
        expect(await open(i.id)).toEqual(['unused-priv'])
        await markRemediationDone(a.ctx('governance'), { remediationId: remediation.id })
      }
      expect(await open(i.id)).toEqual([])
      expect(await scores(i.id)).toEqual({ riskScore: 0, openFindings: 0 })
    }
  })

  it('disabling and deleting an identity settle what only an active or existing identity can have', async () => {
    const i = await addIdentity(a.org.id, manual.id, { ownerId: null, lastUsedDaysAgo: 300 })
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await open(i.id)).toEqual(['dormant', 'unowned'])
    const { remediation } = await requestRemediation(a.ctx('governance'), { kind: 'disable_identity', identityId: i.id, justification: 'dormant for a year' })
    await drainJobs()
    await markRemediationDone(a.ctx('governance'), { remediationId: remediation.id })
    expect(await open(i.id)).toEqual(['unowned'])
    await db.identity.update({ where: { id: i.id }, data: { status: 'quarantined' } })
    const del = await db.remediation.create({
      data: { orgId: a.org.id, identityId: i.id, kind: 'delete_identity', status: 'manual', openKey: uid('k'), justification: 'end of quarantine' },
    })
    await markRemediationDone(a.ctx('governance'), { remediationId: del.id })
    expect(await open(i.id)).toEqual([])
    expect(await scores(i.id)).toEqual({ riskScore: 0, openFindings: 0 })
  })

  it('offboarding: the leaver’s identities settle as they move; an orphan shows one NHI1 finding, "owner left", not two', async () => {
    const leaver = await db.user.create({ data: { email: `${uid('leaver')}@test.example`, name: 'Leaving Person' } })
    await db.membership.create({ data: { orgId: a.org.id, userId: leaver.id, role: 'member' } })
    const kept = await addIdentity(a.org.id, a.source.id, { ownerId: leaver.id })
    await db.identity.update({ where: { id: kept.id }, data: { backupOwnerId: a.people.member.id } })
    const orphan = await addIdentity(a.org.id, a.source.id, { ownerId: leaver.id, environment: 'production' })
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await open(kept.id)).toEqual([])
    await removeMember(a.ctx('admin'), leaver.id)
    await drainJobs()
    expect(await open(kept.id)).toEqual([])
    expect(await open(orphan.id)).toEqual(['owner-left'])
    expect(await scores(orphan.id)).toEqual({ riskScore: 25, openFindings: 1 })
    // The nightly recompute keeps the offboarding's finding (its rule is not one of the engine's).
    await recomputeFindingsForOrg(a.ctx('admin'))
    expect(await open(orphan.id)).toEqual(['owner-left'])
    await assignOwner(a.ctx('governance'), { identityIds: [orphan.id], fields: { ownerId: a.people.member.id } })
    expect(await open(orphan.id)).toEqual([])
    expect(await scores(orphan.id)).toEqual({ riskScore: 0, openFindings: 0 })
  })
})
