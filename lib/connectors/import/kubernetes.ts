// `kubectl get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings -A -o json`: a List of
// items. Service accounts become workload identities named namespace/name; service-account token secrets their
// credentials (fingerprinted over the secret's uid: the token itself is never read); roles and cluster roles
// entitlements on their namespace or the cluster; bindings to service accounts the grants.
import type { DiscoveredEntitlement, DiscoveredResource, DiscoveryPage } from '@/lib/connectors/types'
import { ImportFormatError, pagesOf, parseDate, type MappedRecord } from './pages'

type Meta = {
  name?: string
  namespace?: string
  uid?: string
  creationTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}
type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[]; nonResourceURLs?: string[] }
type Item = {
  kind?: string
  metadata?: Meta
  type?: string
  rules?: Rule[]
  roleRef?: { kind?: string; name?: string }
  subjects?: { kind?: string; name?: string; namespace?: string }[]
  automountServiceAccountToken?: boolean
}

const PRIVILEGED_ROLES = new Set(['cluster-admin', 'admin', 'system:masters'])
const OWNER_ANNOTATIONS = ['custodian.io/owner', 'owner']

export function environmentOf(namespace: string): 'production' | 'staging' | 'development' | 'test' | 'unknown' {
  const n = namespace.toLowerCase()
  if (/(^|[-_])(prod|production|prd)([-_]|$)/.test(n)) return 'production'
  if (/(^|[-_])(staging|stage|stg)([-_]|$)/.test(n)) return 'staging'
  if (/(^|[-_])(dev|development)([-_]|$)/.test(n)) return 'development'
  if (/(^|[-_])(test|qa|ci)([-_]|$)/.test(n)) return 'test'
  return 'unknown'
}

/** The owner's e-mail from the annotation, also when written "Name <e-mail>"; lower-cased as members are matched. */
export function ownerEmailOf(annotations: Record<string, string> | undefined): string | null {
  for (const a of OWNER_ANNOTATIONS) {
    const v = annotations?.[a]
    if (typeof v !== 'string') continue
    const email = (/<([^<>\s]+@[^<>\s]+)>/.exec(v)?.[1] ?? v).trim().toLowerCase()
    if (/^[^\s@<>]+@[^\s@<>]+$/.test(email)) return email
  }
  return null
}

/** cluster-admin and admin, or any rule granting every verb or every resource, are privileged. */
export function isPrivilegedRole(name: string, rules: Rule[] = []): boolean {
  if (PRIVILEGED_ROLES.has(name)) return true
  return rules.some(
    (r) =>
      (r.verbs ?? []).includes('*') ||
      (r.resources ?? []).includes('*') ||
      ((r.resources ?? []).includes('secrets') && (r.verbs ?? []).some((v) => ['get', 'list', 'watch'].includes(v)) && (r.apiGroups ?? ['']).includes('')),
  )
}

function describeRules(rules: Rule[] = []): string {
  return rules
    .slice(0, 6)
    .map((r) => `${(r.verbs ?? []).join(',')} ${(r.resources ?? r.nonResourceURLs ?? []).join(',')}`)
    .join('; ')
    .slice(0, 500)
}

const resourceOf = (namespace: string | null): DiscoveredResource =>
  namespace
    ? { externalId: `namespace/${namespace}`, name: namespace, type: 'namespace', environment: environmentOf(namespace) }
    : { externalId: 'cluster', name: 'cluster', type: 'cluster' }

export function mapKubernetesList(doc: unknown): { records: MappedRecord[]; errors: { ref: string; message: string }[] } {
  const items = (doc as { items?: unknown })?.items
  if (!doc || typeof doc !== 'object' || !Array.isArray(items)) {
    throw new ImportFormatError(
      'This does not look like kubectl JSON output: expected a List with "items" (kubectl get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings -A -o json).',
    )
  }
  const list = items as Item[]
  if (list.length && !list.some((i) => ['ServiceAccount', 'Secret', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(i?.kind ?? ''))) {
    throw new ImportFormatError(
      'The List holds no service accounts, secrets, roles or bindings: export them with kubectl get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings -A -o json.',
    )
  }
  const records: MappedRecord[] = []
  const errors: { ref: string; message: string }[] = []
  const accounts = new Set<string>()
  const roles = new Map<string, Item>()
  const ref = (i: Item, n: number) => `items[${n}] ${i?.kind ?? '?'} ${i?.metadata?.namespace ? `${i.metadata.namespace}/` : ''}${i?.metadata?.name ?? '?'}`
  const when = (m: Meta | undefined) => {
    try {
      return parseDate(m?.creationTimestamp ?? null, 'creationTimestamp')
    } catch {
      return null
    }
  }

  list.forEach((item, n) => {
    const m = item?.metadata
    if (!item || typeof item !== 'object' || !m?.name) return void errors.push({ ref: `items[${n}]`, message: 'has no metadata.name' })
    if (item.kind === 'ServiceAccount') {
      if (!m.namespace) return void errors.push({ ref: ref(item, n), message: 'service account without a namespace' })
      const id = `${m.namespace}/${m.name}`
      accounts.add(id)
      const owner = ownerEmailOf(m.annotations)
      records.push({
        identity: {
          externalId: id,
          name: id,
          kind: 'workload',
          environment: environmentOf(m.namespace),
          createdAt: when(m),
          ownerEmail: owner,
          metadata: { namespace: m.namespace, uid: m.uid, labels: m.labels ?? {}, automountServiceAccountToken: item.automountServiceAccountToken ?? null },
          tags: m.labels?.['app.kubernetes.io/name'] ? { app: m.labels['app.kubernetes.io/name'] } : undefined,
        },
      })
    } else if (item.kind === 'Role' || item.kind === 'ClusterRole') {
      roles.set(`${item.kind}/${item.kind === 'Role' ? `${m.namespace}/` : ''}${m.name}`, item)
    }
  })

  const entitlement = (
    namespace: string | null,
    roleKind: string,
    roleName: string,
  ): { resource: DiscoveredResource; entitlement: DiscoveredEntitlement } | null => {
    const role = roles.get(`${roleKind}/${roleKind === 'Role' ? `${namespace}/` : ''}${roleName}`)
    const resource = resourceOf(namespace)
    return {
      resource,
      entitlement: {
        resourceExternalId: resource.externalId,
        externalId: `${roleKind}/${roleName}`,
        name: `${roleKind}/${roleName}`,
        privileged: isPrivilegedRole(roleName, role?.rules),
        description: role ? describeRules(role.rules) : null,
      },
    }
  }
  for (const role of roles.values()) {
    const e = entitlement(role.kind === 'Role' ? (role.metadata!.namespace ?? null) : null, role.kind!, role.metadata!.name!)!
    records.push({ resources: [e.resource], entitlements: [e.entitlement] })
  }

  list.forEach((item, n) => {
    const m = item?.metadata
    if (!m?.name) return
    if (item.kind === 'Secret') {
      if (item.type !== 'kubernetes.io/service-account-token') return
      const sa = m.annotations?.['kubernetes.io/service-account.name']
      const id = `${m.namespace}/${sa}`
      if (!sa || !accounts.has(id)) return void errors.push({ ref: ref(item, n), message: `token secret for service account ${id}, which is not in the file` })
      if (!m.uid) return void errors.push({ ref: ref(item, n), message: 'token secret without metadata.uid' })
      records.push({
        credentials: [
          {
            identityExternalId: id,
            externalId: `${m.namespace}/${m.name}`,
            kind: 'token',
            label: `Secret ${m.name}`,
            fingerprint: `k8s-secret-uid:${m.uid}`,
            createdAt: when(m),
            status: 'active',
          },
        ],
      })
    } else if (item.kind === 'RoleBinding' || item.kind === 'ClusterRoleBinding') {
      const roleKind = item.roleRef?.kind
      const roleName = item.roleRef?.name
      if (!roleName || (roleKind !== 'Role' && roleKind !== 'ClusterRole')) return void errors.push({ ref: ref(item, n), message: 'binding without a roleRef' })
      const namespace = item.kind === 'RoleBinding' ? (m.namespace ?? null) : null
      const e = entitlement(namespace, roleKind, roleName)!
      const grants = []
      for (const s of item.subjects ?? []) {
        if (s.kind !== 'ServiceAccount') continue
        const id = `${s.namespace ?? m.namespace}/${s.name}`
        if (!accounts.has(id)) {
          errors.push({ ref: ref(item, n), message: `binds ${roleKind}/${roleName} to service account ${id}, which is not in the file` })
          continue
        }
        grants.push({ identityExternalId: id, resourceExternalId: e.resource.externalId, entitlementExternalId: e.entitlement.externalId, createdAt: when(m) })
      }
      if (grants.length) records.push({ resources: [e.resource], entitlements: [e.entitlement], grants })
    }
  })
  return { records, errors }
}

export async function* readKubernetesList(doc: unknown): AsyncGenerator<DiscoveryPage> {
  const { records, errors } = mapKubernetesList(doc)
  yield* pagesOf(records, errors)
}
