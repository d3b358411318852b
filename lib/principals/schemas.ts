import { z } from 'zod'

// Who a rule reaches: one identity, every identity of a team, or every identity with a tag. Gateway rules and
// credential templates name their principals the same way (one schema, one label, one check of membership).

export const PRINCIPAL_TYPES = ['identity', 'team', 'tag'] as const
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number]

const recordId = (what: string) => z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, `Unknown ${what}.`)
const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v)
const optional = <T extends z.ZodType>(s: T) => z.preprocess(blankToNull, s.nullable().optional())

export const principalFields = {
  principalType: z.enum(PRINCIPAL_TYPES, { error: 'Choose an identity, a team or a tag.' }),
  identityId: optional(recordId('identity')),
  teamId: optional(recordId('team')),
  tagKey: optional(z.string().trim().min(1).max(100, 'At most 100 characters.')),
  tagValue: optional(z.string().trim().max(200, 'At most 200 characters.')),
}

export type PrincipalInput = {
  principalType: PrincipalType
  identityId?: string | null
  teamId?: string | null
  tagKey?: string | null
  tagValue?: string | null
}

export function refinePrincipal(v: PrincipalInput, ctx: z.RefinementCtx) {
  if (v.principalType === 'identity' && !v.identityId) ctx.addIssue({ code: 'custom', path: ['identityId'], message: 'Choose the identity.' })
  if (v.principalType === 'team' && !v.teamId) ctx.addIssue({ code: 'custom', path: ['teamId'], message: 'Choose the team.' })
  if (v.principalType === 'tag' && (!v.tagKey || v.tagValue == null))
    ctx.addIssue({ code: 'custom', path: ['tagKey'], message: 'Enter the tag as key and value, like team=payments.' })
}

export function principalLabel(r: {
  principalType: string
  identity?: { name: string } | null
  team?: { name: string } | null
  tagKey?: string | null
  tagValue?: string | null
}) {
  if (r.principalType === 'identity') return r.identity?.name ?? 'an identity'
  if (r.principalType === 'team') return `team ${r.team?.name ?? '?'}`
  return `tag ${r.tagKey}=${r.tagValue}`
}
