import { identityListSchema } from '@/lib/inventory/schemas'

export const HIDEABLE_COLUMNS = ['kind', 'source', 'environment', 'owner', 'lastUsedAt', 'oldestSecretAt', 'grantCount', 'riskScore', 'status', 'createdAt'] as const

export function parseIdentitySearchParams(sp: Record<string, string | string[] | undefined>) {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)
  const params = identityListSchema.parse(Object.fromEntries(Object.entries(sp).map(([k, v]) => [k, one(v)])))
  const hide = (one(sp.hide) ?? '')
    .split(',')
    .filter((c): c is (typeof HIDEABLE_COLUMNS)[number] => (HIDEABLE_COLUMNS as readonly string[]).includes(c))
  return { params, hide }
}
