import { isOwaspCode, OWASP_LABELS } from '@/lib/findings/rules'
import { KIND_LABELS, type IdentityFilter } from '@/lib/inventory/schemas'

export type FilterNames = {
  users: Record<string, string>
  sources: Record<string, string>
  teams: Record<string, string>
  /** who "me" is in this filter (a campaign's creator) */
  me?: string | null
}

const list = (xs: string[]) => xs.join(', ')

/** A filter in words, with people, sources and teams by name: never a raw id on screen. */
export function describeFilter(f: Partial<IdentityFilter>, names: FilterNames): string[] {
  const parts: string[] = []
  if (f.q) parts.push(`name contains “${f.q}”`)
  if (f.kind?.length) parts.push(`kind: ${list(f.kind.map((k) => KIND_LABELS[k] ?? k))}`)
  if (f.env?.length) parts.push(`environment: ${list(f.env)}`)
  if (f.status?.length) parts.push(`status: ${list(f.status)}`)
  if (f.source?.length) parts.push(`source: ${list(f.source.map((s) => names.sources[s] ?? 'a removed source'))}`)
  if (f.owner === 'unowned') parts.push('no owner')
  else if (f.owner === 'me') parts.push(`owner: ${names.me ?? 'the creator'}`)
  else if (f.owner) parts.push(`owner: ${names.users[f.owner] ?? 'a former member'}`)
  if (f.team) parts.push(`team: ${names.teams[f.team] ?? 'a removed team'}`)
  if (f.privileged) parts.push(f.privileged === 'yes' ? 'privileged' : 'not privileged')
  if (f.dormant) parts.push(f.dormant === 'yes' ? 'dormant' : 'recently used')
  if (f.credAge) parts.push(`a secret older than ${f.credAge} days`)
  if (f.risk) parts.push(`${f.risk} risk`)
  if (f.finding) parts.push(`open finding: ${isOwaspCode(f.finding) ? `${f.finding} ${OWASP_LABELS[f.finding]}` : f.finding}`)
  return parts
}
