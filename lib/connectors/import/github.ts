// A GitHub organization bundle (docs/import-format.md): what the GitHub REST API returns for the org's app
// installations, the apps, repository deploy keys and fine-grained personal access tokens, with the API's own
// field names. Installations become oauth_app identities, deploy keys ci_cd identities with an SSH key,
// fine-grained tokens api_key identities with a token; their permissions become grants.
import type { DiscoveredEntitlement, DiscoveredGrant, DiscoveredResource, DiscoveryPage } from '@/lib/connectors/types'
import { ImportFormatError, pagesOf, parseDate, RowError, errorMessage, type MappedRecord } from './pages'

type Account = { login?: string; id?: number; type?: string }
type Installation = {
  id?: number
  account?: Account
  app_id?: number
  app_slug?: string
  target_type?: string
  repository_selection?: string
  permissions?: Record<string, string>
  events?: string[]
  created_at?: string
  updated_at?: string
  suspended_at?: string | null
  html_url?: string
}
type App = { id?: number; slug?: string; name?: string; description?: string | null; owner?: Account; external_url?: string; html_url?: string }
type DeployKey = {
  id?: number
  key?: string
  title?: string
  verified?: boolean
  created_at?: string
  read_only?: boolean
  added_by?: string | null
  last_used?: string | null
  enabled?: boolean
}
type FineGrainedToken = {
  id?: number
  owner?: Account
  repository_selection?: string
  repositories_url?: string
  permissions?: { organization?: Record<string, string>; repository?: Record<string, string>; other?: Record<string, string> }
  access_granted_at?: string
  token_id?: number
  token_name?: string
  token_expired?: boolean
  token_expires_at?: string | null
  token_last_used_at?: string | null
}
export type GithubBundle = {
  organization?: string
  installations?: Installation[] | { total_count?: number; installations?: Installation[] }
  apps?: App[]
  deploy_keys?: { repository?: string; keys?: DeployKey[] }[]
  personal_access_tokens?: FineGrainedToken[]
}

const ADMIN_PERMISSIONS = new Set([
  'administration',
  'organization_administration',
  'members',
  'secrets',
  'organization_secrets',
  'workflows',
  'organization_user_blocking',
  'organization_hooks',
  'repository_hooks',
  'environments',
])

/** admin on anything, or write on what controls access, code that runs, or secrets, is privileged. */
export function isPrivilegedPermission(permission: string, level: string): boolean {
  return level === 'admin' || (level === 'write' && ADMIN_PERMISSIONS.has(permission))
}

const date = (v: string | null | undefined, field: string) => parseDate(v ?? null, field)
/** A last-used field: null (never used) when the API reports it empty, undefined (unknown) when the export lacks the field. */
const lastUsed = <T extends object>(o: T, field: keyof T & string) => (field in o ? date(o[field] as string | null | undefined, field) : undefined)

function permissionGrants(identityExternalId: string, resource: DiscoveredResource, perms: Record<string, string> | undefined) {
  const entitlements: DiscoveredEntitlement[] = []
  const grants: DiscoveredGrant[] = []
  for (const [perm, level] of Object.entries(perms ?? {})) {
    if (typeof level !== 'string' || level === 'none') continue
    const name = `${perm}:${level}`
    entitlements.push({ resourceExternalId: resource.externalId, externalId: name, name, privileged: isPrivilegedPermission(perm, level) })
    grants.push({ identityExternalId, resourceExternalId: resource.externalId, entitlementExternalId: name })
  }
  return { resources: entitlements.length ? [resource] : [], entitlements, grants }
}

export function mapGithubBundle(doc: unknown): { records: MappedRecord[]; errors: { ref: string; message: string }[] } {
  const b = doc as GithubBundle
  const installations = Array.isArray(b?.installations)
    ? b.installations
    : Array.isArray(b?.installations?.installations)
      ? b.installations.installations
      : undefined
  if (!b || typeof b !== 'object' || Array.isArray(b) || (!installations && !Array.isArray(b.deploy_keys) && !Array.isArray(b.personal_access_tokens))) {
    throw new ImportFormatError(
      'This does not look like a GitHub organization bundle: expected an object with "installations", "deploy_keys" or "personal_access_tokens" (see docs/import-format.md).',
    )
  }
  const org = b.organization ?? installations?.[0]?.account?.login ?? 'organization'
  const orgResource: DiscoveredResource = { externalId: `org/${org}`, name: org, type: 'organization' }
  const apps = new Map((b.apps ?? []).filter((a) => a?.slug).map((a) => [a.slug!, a]))
  const records: MappedRecord[] = []
  const errors: { ref: string; message: string }[] = []
  const guard = (ref: string, fn: () => void) => {
    try {
      fn()
    } catch (err) {
      errors.push({ ref, message: errorMessage(err) })
    }
  }

  installations?.forEach((inst, n) =>
    guard(`installations[${n}]`, () => {
      if (typeof inst?.id !== 'number' || !inst.app_slug) throw new RowError('needs "id" and "app_slug"')
      const app = apps.get(inst.app_slug)
      const externalId = `installation/${inst.id}`
      const scope: DiscoveredResource =
        inst.repository_selection === 'selected'
          ? { externalId: `org/${org}/selected-repositories`, name: `${org} (selected repositories)`, type: 'repositories' }
          : orgResource
      records.push({
        identity: {
          externalId,
          name: app?.name ?? inst.app_slug,
          kind: 'oauth_app',
          environment: 'production',
          status: inst.suspended_at ? 'disabled' : 'active',
          description: app?.description ?? null,
          createdAt: date(inst.created_at, 'created_at'),
          metadata: {
            app_id: inst.app_id,
            app_slug: inst.app_slug,
            publisher: app?.owner?.login ?? null,
            target_type: inst.target_type,
            repository_selection: inst.repository_selection,
            events: inst.events ?? [],
            html_url: inst.html_url,
          },
        },
        ...permissionGrants(externalId, scope, inst.permissions),
      })
    }),
  )

  b.deploy_keys?.forEach((repo, r) => {
    if (!repo?.repository) return void errors.push({ ref: `deploy_keys[${r}]`, message: 'needs "repository" (owner/name)' })
    const resource: DiscoveredResource = { externalId: `repo/${repo.repository}`, name: repo.repository, type: 'repository' }
    repo.keys?.forEach((key, k) =>
      guard(`deploy_keys[${r}].keys[${k}]`, () => {
        if (typeof key?.id !== 'number') throw new RowError('needs "id"')
        const externalId = `deploy_key/${repo.repository}/${key.id}`
        const used = lastUsed(key, 'last_used')
        const access = key.read_only === false ? 'write' : 'read'
        records.push({
          identity: {
            externalId,
            name: `${repo.repository} deploy key: ${key.title ?? key.id}`,
            kind: 'ci_cd',
            environment: 'production',
            status: key.enabled === false ? 'disabled' : 'active',
            createdAt: date(key.created_at, 'created_at'),
            lastUsedAt: used,
            metadata: { repository: repo.repository, added_by: key.added_by ?? null, verified: key.verified ?? null, read_only: key.read_only ?? true },
          },
          // The public key identifies the key pair; it is hashed like any other credential id.
          credentials: [
            {
              identityExternalId: externalId,
              externalId: String(key.id),
              kind: 'ssh_key',
              label: key.title ?? 'Deploy key',
              fingerprint: `github-deploy-key:${key.key ?? key.id}`,
              createdAt: date(key.created_at, 'created_at'),
              lastUsedAt: used,
            },
          ],
          resources: [resource],
          entitlements: [
            { resourceExternalId: resource.externalId, externalId: `contents:${access}`, name: `contents:${access}`, privileged: access === 'write' },
          ],
          grants: [
            {
              identityExternalId: externalId,
              resourceExternalId: resource.externalId,
              entitlementExternalId: `contents:${access}`,
              createdAt: date(key.created_at, 'created_at'),
              lastUsedAt: used,
            },
          ],
        })
      }),
    )
  })

  b.personal_access_tokens?.forEach((t, n) =>
    guard(`personal_access_tokens[${n}]`, () => {
      if (typeof t?.id !== 'number') throw new RowError('needs "id"')
      const externalId = `pat/${t.id}`
      const used = lastUsed(t, 'token_last_used_at')
      const owner = t.owner?.login ?? 'unknown'
      const repos: DiscoveredResource = {
        externalId: `org/${org}/${t.repository_selection === 'all' ? 'all' : 'selected'}-repositories`,
        name: `${org} (${t.repository_selection === 'all' ? 'all' : 'selected'} repositories)`,
        type: 'repositories',
      }
      const orgPerms = permissionGrants(externalId, orgResource, t.permissions?.organization)
      const repoPerms = permissionGrants(externalId, repos, t.permissions?.repository)
      records.push({
        identity: {
          externalId,
          name: `${t.token_name ?? `token ${t.token_id ?? t.id}`} (${owner})`,
          kind: 'api_key',
          environment: 'unknown',
          status: t.token_expired ? 'disabled' : 'active',
          createdAt: date(t.access_granted_at, 'access_granted_at'),
          lastUsedAt: used,
          metadata: { owner_login: owner, repository_selection: t.repository_selection, token_id: t.token_id, fine_grained: true },
        },
        credentials: [
          {
            identityExternalId: externalId,
            externalId: String(t.token_id ?? t.id),
            kind: 'token',
            label: t.token_name ?? 'Fine-grained token',
            fingerprint: `github-pat:${t.token_id ?? t.id}`,
            createdAt: date(t.access_granted_at, 'access_granted_at'),
            expiresAt: date(t.token_expires_at, 'token_expires_at'),
            lastUsedAt: used,
            status: t.token_expired ? 'inactive' : 'active',
          },
        ],
        resources: [...orgPerms.resources, ...repoPerms.resources],
        entitlements: [...orgPerms.entitlements, ...repoPerms.entitlements],
        grants: [...orgPerms.grants, ...repoPerms.grants],
      })
    }),
  )
  return { records, errors }
}

export async function* readGithubBundle(doc: unknown): AsyncGenerator<DiscoveryPage> {
  const { records, errors } = mapGithubBundle(doc)
  yield* pagesOf(records, errors)
}
