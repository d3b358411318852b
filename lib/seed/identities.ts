// One NHI with its credentials, grants, tags and activity, generated from the shared PRNG.
import { createHash } from 'node:crypto'
import { nameIdentity, SERVICES, type Environment, type IdentityKind, type SourceDef } from './catalog'
import type { IdFactory, Rng } from './prng'
import type { ActivityEventRow, CredentialRow, GrantRow, IdentityRow, IdentityTagRow } from './rows'

export const DAY = 86_400_000
const YEAR = 365 * DAY

export interface EntRef {
  id: string
  privileged: boolean
}
export interface SourceState {
  def: SourceDef
  id: string
  connectedAt: number
  counter: number
  names: Map<string, number>
  normal: EntRef[]
  priv: EntRef[]
}
export interface OwnerRef {
  id: string
  email: string
  teamId: string | null
  teamSlug: string | null
}
export interface OrgState {
  orgId: string
  total: number
  sourcesByEnv: Record<Environment, (readonly [SourceState, number])[]>
  /** owners repeated by weight: picking uniformly gives a skewed share per person */
  ownerPool: OwnerRef[]
  featured: OwnerRef | null
  featuredTarget: number
  pOwned: number
  creators: string[]
  teams: { id: string; slug: string }[]
  sharedSecrets: { fingerprint: string; uses: number; identityId: string }[]
}
export interface Batch {
  identities: IdentityRow[]
  credentials: CredentialRow[]
  grants: GrantRow[]
  tags: IdentityTagRow[]
  activities: ActivityEventRow[]
}

const ENVS: readonly (readonly [Environment, number])[] = [
  ['production', 45],
  ['staging', 17],
  ['development', 20],
  ['test', 10],
  ['unknown', 8],
]
const PRIV_SHARE: Record<IdentityKind, number> = {
  service_account: 0.18,
  api_key: 0.15,
  oauth_app: 0.1,
  bot: 0.1,
  ci_cd: 0.24,
  workload: 0.13,
  ai_agent: 0.3,
  certificate: 0,
  other: 0.15,
}
const UA: Record<string, string> = {
  aws: 'aws-sdk-go-v2/1.30.3',
  gcp: 'google-cloud-sdk/473.0.0',
  azure: 'azsdk-python-identity/1.16.0',
  kubernetes: 'kubelet/v1.29.4',
  github: 'GitHub-Actions/2.317.0',
  okta: 'okta-sdk-java/13.0.0',
  salesforce: 'SFDC-Callout/61.0',
  snowflake: 'SnowflakeConnector/3.12.0',
  postgresql: 'libpq/16.2',
}
const ACTIONS: Record<string, string[]> = {
  aws: ['sts:AssumeRole', 's3:GetObject', 'dynamodb:Query', 'kms:Decrypt', 'secretsmanager:GetSecretValue'],
  gcp: ['storage.objects.get', 'bigquery.jobs.create', 'iam.serviceAccounts.getAccessToken'],
  azure: ['Microsoft.KeyVault/vaults/secrets/read', 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
  kubernetes: ['get pods', 'list secrets', 'create deployments', 'watch configmaps'],
  github: ['git.push', 'repo.contents.read', 'actions.workflow_run', 'pull_request.create'],
  okta: ['GET /api/v1/users', 'POST /api/v1/groups', 'GET /api/v1/apps'],
  salesforce: ['REST query Account', 'Bulk API upsert Contact', 'SOQL Opportunity'],
  snowflake: ['SELECT ANALYTICS.*', 'COPY INTO RAW', 'USE WAREHOUSE'],
  postgresql: ['SELECT', 'INSERT', 'UPDATE', 'COPY'],
}
const HOSTILE_NETS = ['185.220.101', '45.155.205', '91.240.118', '203.0.113']
const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15'

export interface RiskInput {
  ownerId: string | null
  privileged: boolean
  lastUsedAt: number | null
  createdAt: number
  oldestSecretAt: number | null
  environment: string
}

/** 0-100 from simple signals (times in epoch ms); an identity never used counts as dormant once it is older than the threshold. */
export function riskScore(i: RiskInput, now: number, dormantDays = 90): number {
  let score = 0
  if (!i.ownerId) score += 30
  if (i.privileged) score += 25
  if ((i.lastUsedAt ?? i.createdAt) < now - dormantDays * DAY) score += 20
  if (i.oldestSecretAt !== null && i.oldestSecretAt < now - YEAR) score += 15
  if (i.environment === 'production') score += 10
  return Math.min(100, score)
}

function credentialKinds(r: Rng, kind: IdentityKind, type: string): string[] {
  const some = (k: string, p: number, pTwo: number) => (r.chance(p) ? (r.chance(pTwo) ? [k, k] : [k]) : [])
  switch (kind) {
    case 'certificate':
      return ['certificate']
    case 'oauth_app':
      return some('client_secret', 1, 0.4)
    case 'api_key':
      return some(type === 'aws' || type === 'gcp' ? 'access_key' : 'token', 1, 0.35)
    case 'ci_cd':
      return r.chance(0.35) ? ['token', 'ssh_key'] : ['token']
    case 'bot':
      return r.chance(0.3) ? ['token', 'password'] : r.chance(0.7) ? ['token'] : ['password']
    case 'ai_agent':
      return r.chance(0.45) ? ['token', 'client_secret'] : ['token']
    case 'workload':
      return some('token', 0.9, 0.35)
    case 'other':
      return some('password', 0.95, 0.25)
    default:
      if (type === 'aws') return some('access_key', 0.9, 0.5)
      if (type === 'gcp') return some('access_key', 0.9, 0.45)
      if (type === 'kubernetes') return some('token', 0.95, 0.35)
      if (type === 'azure') return some('client_secret', 1, 0.4)
      if (type === 'snowflake') return r.chance(0.5) ? ['ssh_key'] : r.chance(0.3) ? ['password', 'ssh_key'] : ['password']
      return some('password', 1, 0.25)
  }
}

const LABELS: Record<string, string> = {
  access_key: 'Access key',
  token: 'API token',
  password: 'Password',
  certificate: 'TLS certificate',
  ssh_key: 'SSH key',
  client_secret: 'Client secret',
}

/** A point in [from, to], skewed towards `to` when power < 1 and towards `from` when power > 1. */
function between(r: Rng, from: number, to: number, power = 1): number {
  if (to <= from) return from
  return from + Math.floor((to - from) * Math.pow(r.next(), power))
}

export function generateIdentity(r: Rng, ids: IdFactory, org: OrgState, index: number, now: number, salt: string, out: Batch): void {
  const environment = r.weighted(ENVS)
  const src = r.weighted(org.sourcesByEnv[environment])
  const kind = r.weighted(src.def.kinds)
  const named = nameIdentity(r, src.def, kind, environment)
  const seen = src.names.get(named.name) ?? 0
  src.names.set(named.name, seen + 1)
  const name = seen ? `${named.name}-${seen + 1}` : named.name
  const externalId = named.ext(name, ++src.counter)
  const id = ids.next()
  const orgId = org.orgId

  const created = now - Math.floor(6 * YEAR * Math.pow(r.next(), 1.2)) - DAY
  const s = r.next()
  const status = s < 0.01 ? 'deleted' : s < 0.06 ? 'disabled' : 'active'
  const u = r.next()
  let lastUsed: number | null
  if (u < 0.08) lastUsed = null
  else if (u < 0.3 && created < now - 91 * DAY) lastUsed = between(r, created, now - 91 * DAY, 0.7)
  else lastUsed = Math.max(created, now - Math.floor(89 * DAY * Math.pow(r.next(), 3)))

  // Ownership: the featured owner gets an exact, evenly spread quota; the rest is drawn.
  const T = org.featuredTarget
  let owner: OwnerRef | null = null
  if (org.featured && Math.floor(((index + 1) * T) / org.total) > Math.floor((index * T) / org.total)) owner = org.featured
  else if (r.chance(org.pOwned)) owner = org.ownerPool[r.int(org.ownerPool.length)]
  let backup: OwnerRef | null = null
  if (owner && r.chance(0.25)) {
    backup = org.ownerPool[r.int(org.ownerPool.length)]
    if (backup.id === owner.id) backup = null
  }
  let team: { id: string; slug: string } | null = null
  if (owner?.teamId && r.chance(0.7)) team = { id: owner.teamId, slug: owner.teamSlug! }
  else if (!owner && org.teams.length && r.chance(0.06)) team = r.pick(org.teams)

  const meta: Record<string, unknown> = {}
  if (owner && r.chance(0.5)) meta.creator = owner.email
  else if (!owner && r.chance(0.15)) meta.creator = r.pick(org.creators)
  if (r.chance(0.2) && org.teams.length) meta.labels = { team: (team ?? r.pick(org.teams)).slug }
  if (!owner && r.chance(0.05)) meta.tags = { owner: r.pick(org.creators) }
  if (src.def.type === 'kubernetes') meta.cluster = src.def.tag

  // Credentials
  const credKinds = status === 'deleted' ? [] : credentialKinds(r, kind, src.def.type)
  let oldestSecret: number | null = null
  for (const ck of credKinds) {
    const cCreated = between(r, created, now, 2)
    const rotated = r.chance(0.4) ? null : between(r, cCreated, now, 0.5)
    const base = rotated ?? cCreated
    let expires: number | null = null
    if (ck === 'certificate') expires = base + r.pick([90, 365, 398, 825]) * DAY
    else if ((ck === 'token' || ck === 'client_secret') && r.chance(0.3)) expires = base + r.pick([30, 90, 180, 365]) * DAY
    const used = lastUsed === null || lastUsed < base || r.chance(0.15) ? null : between(r, base, lastUsed, 0.3)
    const cStatus = (status !== 'active' && r.chance(0.6)) || r.chance(0.08) ? 'inactive' : 'active'
    if (cStatus === 'active' && (oldestSecret === null || base < oldestSecret)) oldestSecret = base
    out.credentials.push({
      id: ids.next(),
      orgId,
      identityId: id,
      externalId: ck === 'access_key' ? (src.def.type === 'aws' ? 'AKIA' + r.alnum(16).toUpperCase() : r.hex(40)) : null,
      kind: ck,
      label: LABELS[ck],
      fingerprint: fingerprint(r, org, salt, id),
      createdAt: cCreated,
      lastRotatedAt: rotated,
      expiresAt: expires,
      lastUsedAt: used,
      status: cStatus,
    })
  }

  // Grants from this identity's own source; privileged ones are often unused (overprivileged).
  let grantCount = 0
  let privileged = false
  if (status !== 'deleted' && kind !== 'certificate') {
    const n = Math.min(1 + Math.floor(-Math.log(1 - r.next()) * 4.6), Math.ceil(src.normal.length * 0.6), 40)
    const picks: EntRef[] = []
    if (src.priv.length && r.chance(PRIV_SHARE[kind])) {
      picks.push(r.pick(src.priv))
      if (r.chance(0.2)) {
        const p2 = r.pick(src.priv)
        if (p2 !== picks[0]) picks.push(p2)
      }
    }
    for (let tries = 0; picks.length < n && tries < 200; tries++) {
      const e = src.normal[Math.floor(src.normal.length * Math.pow(r.next(), 1.6))]
      if (!picks.includes(e)) picks.push(e)
    }
    const ref = lastUsed ?? now
    for (const e of picks) {
      const gCreated = between(r, created, ref, 3)
      let gUsed: number | null = null
      if (lastUsed !== null) {
        const g = r.next()
        const oldUse = Math.min(lastUsed, now - 91 * DAY)
        if (e.privileged) gUsed = g < 0.45 ? null : g < 0.75 && gCreated < oldUse ? between(r, gCreated, oldUse) : between(r, gCreated, lastUsed, 0.3)
        else gUsed = g < 0.25 ? null : between(r, gCreated, lastUsed, 0.3)
      }
      if (e.privileged) privileged = true
      out.grants.push({
        id: ids.next(),
        orgId,
        identityId: id,
        entitlementId: e.id,
        privileged: e.privileged,
        createdAt: gCreated,
        lastUsedAt: gUsed,
        status: 'active',
      })
    }
    grantCount = picks.length
  }

  if (r.chance(0.3)) {
    const keys = ['team', 'cost-center', 'app'].filter(() => r.chance(0.6))
    if (!keys.length) keys.push('team')
    for (const key of keys) {
      const t = team ?? (org.teams.length ? r.pick(org.teams) : { slug: 'engineering', id: '' })
      const value = key === 'team' ? t.slug : key === 'app' ? r.pick(SERVICES) : `CC-${1000 + org.teams.indexOf(t) * 10 + r.int(10)}`
      out.tags.push({ id: ids.next(), orgId, identityId: id, key, value })
    }
  }

  if (lastUsed !== null && lastUsed > now - 60 * DAY && r.chance(0.33)) {
    const events = r.range(1, 4)
    const from = Math.max(created, now - 60 * DAY)
    for (let k = 0; k < events; k++) {
      const x = r.next()
      const ev = x < 0.02 ? 'interactive_login' : x < 0.06 ? 'auth_failure' : x < 0.45 ? 'auth_success' : 'api_call'
      const at = k === 0 ? lastUsed : between(r, from, lastUsed)
      out.activities.push({
        id: ids.next(),
        orgId,
        identityId: id,
        at,
        kind: ev,
        sourceIp:
          ev === 'auth_failure'
            ? `${r.pick(HOSTILE_NETS)}.${r.range(1, 254)}`
            : ev === 'interactive_login'
              ? `198.51.100.${r.range(1, 254)}`
              : `10.${r.int(256)}.${r.int(256)}.${r.range(1, 254)}`,
        userAgent: ev === 'interactive_login' ? BROWSER : (UA[src.def.type] ?? null),
        detail: ev === 'api_call' ? r.pick(ACTIONS[src.def.type] ?? ['call']) : ev === 'auth_failure' ? 'invalid signature' : null,
      })
    }
  }

  const row: IdentityRow = {
    id,
    orgId,
    sourceId: src.id,
    externalId,
    name,
    searchText: `${name} ${externalId}`.toLowerCase(),
    kind,
    environment,
    status,
    description: named.description ?? null,
    createdAt: created,
    lastUsedAt: lastUsed,
    discoveredAt: Math.max(created, src.connectedAt),
    updatedAt: now,
    ownerId: owner?.id ?? null,
    backupOwnerId: backup?.id ?? null,
    teamId: team?.id ?? null,
    ownerOrigin: owner ? (r.chance(0.55) ? 'source' : 'manual') : null,
    ownerAssignedAt: owner ? between(r, created, now) : null,
    metadata: JSON.stringify(meta),
    privileged,
    grantCount,
    credentialCount: credKinds.length,
    oldestSecretAt: oldestSecret,
    riskScore: 0,
    openFindings: 0,
    lastAttestedAt: null,
    attestationDue: null,
  }
  row.riskScore = riskScore(row, now)
  out.identities.push(row)
}

/** Salted SHA-256 of a fake secret; a few secrets are deliberately shared by 2-3 identities (NHI9 reuse). */
function fingerprint(r: Rng, org: OrgState, salt: string, identityId: string): string {
  const pool = org.sharedSecrets
  if (pool.length && pool[0].identityId !== identityId && r.chance(0.004)) {
    const s = pool[0]
    if (--s.uses <= 0) pool.shift()
    return s.fingerprint
  }
  const fp = createHash('sha256')
    .update(salt + r.alnum(40))
    .digest('hex')
  if (r.chance(0.0022)) pool.push({ fingerprint: fp, uses: r.range(1, 2), identityId })
  return fp
}
