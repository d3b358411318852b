// Owner suggestions from what sources already know: pure, so the rules are unit-tested without a database.

export type SuggestionSource = 'owner-tag' | 'creator' | 'rotated-by' | 'team-tag' | 'name-prefix'
export type Suggestion = {
  ownerId: string | null
  teamId: string | null
  /** 0–100 */
  confidence: number
  band: 'high' | 'medium' | 'low'
  source: SuggestionSource
  reason: string
}

export type SuggestionIdentity = {
  name: string
  metadata: string
  tags: { key: string; value: string }[]
  /** users who rotated one of its credentials, newest first */
  rotatedByIds: string[]
}

export type SuggestionDirectory = {
  /** active members only: lower-cased e-mail -> user */
  membersByEmail: Map<string, { id: string; name: string }>
  membersById: Map<string, { id: string; name: string; email: string }>
  /** slug -> team; leadId only when the lead is an active member */
  teamsBySlug: Map<string, { id: string; name: string; leadId: string | null }>
}

export const HIGH_CONFIDENCE = 80

export function band(confidence: number): Suggestion['band'] {
  return confidence >= HIGH_CONFIDENCE ? 'high' : confidence >= 50 ? 'medium' : 'low'
}

function parseMeta(json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null)
const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {})

export function suggestOwners(i: SuggestionIdentity, dir: SuggestionDirectory): Suggestion[] {
  const meta = parseMeta(i.metadata)
  const labels = { ...obj(meta.labels), ...obj(meta.tags) }
  const tag = (key: string) => i.tags.find((t) => t.key.toLowerCase() === key)?.value ?? null
  const out: Suggestion[] = []
  const add = (s: Omit<Suggestion, 'band'>) => out.push({ ...s, band: band(s.confidence) })

  const ownerTag = str(tag('owner')) ?? str(labels.owner)
  if (ownerTag) {
    const m = dir.membersByEmail.get(ownerTag.toLowerCase())
    if (m) add({ ownerId: m.id, teamId: null, confidence: 95, source: 'owner-tag', reason: `Tagged owner=${ownerTag} at the source` })
  }
  const creator = str(meta.creator) ?? str(meta.createdBy) ?? str(meta.created_by)
  if (creator) {
    const m = dir.membersByEmail.get(creator.toLowerCase())
    if (m) add({ ownerId: m.id, teamId: null, confidence: 85, source: 'creator', reason: `Created it (creator ${creator} in the source metadata)` })
  }
  for (const uid of i.rotatedByIds) {
    const m = dir.membersById.get(uid)
    if (m) {
      add({ ownerId: m.id, teamId: null, confidence: 70, source: 'rotated-by', reason: `Last rotated one of its credentials (${m.email})` })
      break
    }
  }
  const teamTag = str(tag('team')) ?? str(labels.team)
  const tagged = teamTag ? dir.teamsBySlug.get(teamTag.toLowerCase()) : undefined
  if (tagged) {
    add({
      ownerId: tagged.leadId,
      teamId: tagged.id,
      confidence: 60,
      source: 'team-tag',
      reason: `Tagged team=${teamTag}${tagged.leadId ? '; its lead is proposed' : ''}`,
    })
  } else {
    const tokens = new Set(
      i.name
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean),
    )
    for (const [slug, team] of dir.teamsBySlug) {
      if (tokens.has(slug) || slug.split('-').every((part) => tokens.has(part))) {
        add({ ownerId: team.leadId, teamId: team.id, confidence: 40, source: 'name-prefix', reason: `The name contains the team slug "${slug}"` })
        break
      }
    }
  }
  // Keep the strongest suggestion per proposed owner and team.
  const seen = new Set<string>()
  return out
    .sort((a, b) => b.confidence - a.confidence)
    .filter((s) => {
      const key = `${s.ownerId}|${s.teamId}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
}
