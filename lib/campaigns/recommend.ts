// Pure rules: what the reviewer is advised to do and why, and who reviews. Unit-tested beside this file.
const DAY = 86_400_000

export type RecommendInput = {
  privileged: boolean
  lastUsedAt: Date | null
  /** false when the source does not report usage: a missing lastUsedAt is then unknown, not "never used" */
  usageReported?: boolean
  identityStatus: string
  expiresAt?: Date | null
}
export type RecommendOptions = { now: number; dormantDays: number; privilegedUnusedDays: number }
export type Recommendation = { recommendation: 'keep' | 'revoke' | 'reduce'; reason: string }

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`

export function recommend(input: RecommendInput, opts: RecommendOptions): Recommendation {
  if (input.identityStatus === 'disabled' || input.identityStatus === 'quarantined') {
    return { recommendation: 'revoke', reason: `identity is ${input.identityStatus}: revoke` }
  }
  if (input.expiresAt && input.expiresAt.getTime() < opts.now) {
    return { recommendation: 'revoke', reason: `expired ${days(Math.floor((opts.now - input.expiresAt.getTime()) / DAY))} ago: revoke` }
  }
  if (!input.lastUsedAt && input.usageReported === false)
    return { recommendation: 'keep', reason: 'usage unknown (its source does not report it): decide on need' }
  if (!input.lastUsedAt) return { recommendation: 'revoke', reason: input.privileged ? 'privileged and never used: revoke' : 'never used: revoke' }
  const idle = Math.max(0, Math.floor((opts.now - input.lastUsedAt.getTime()) / DAY))
  if (input.privileged && idle >= opts.privilegedUnusedDays) return { recommendation: 'revoke', reason: `privileged and not used for ${days(idle)}: revoke` }
  if (idle >= opts.dormantDays) return { recommendation: 'revoke', reason: `not used for ${days(idle)}: revoke` }
  return { recommendation: 'keep', reason: idle === 0 ? 'used today: keep' : `used ${days(idle)} ago: keep` }
}

/**
 * Least privilege from use (issue 15, part 6), for an identity's attestation: among its gateway grants (whose use the
 * gateway knows exactly), those not used within the dormancy window are suggested for removal — "allowed 12 gateway
 * rules, used 2 in 90 days: reduce". Only narrows a "keep": an identity recommended for revocation stays so.
 */
export function recommendGatewayReduce(
  base: Recommendation,
  gatewayGrants: { id: string; lastUsedAt: Date | null }[],
  opts: RecommendOptions,
): Recommendation & { suggestedReduce: string[] } {
  const cutoff = opts.now - opts.dormantDays * DAY
  const unused = gatewayGrants.filter((g) => !g.lastUsedAt || g.lastUsedAt.getTime() < cutoff).map((g) => g.id)
  if (base.recommendation !== 'keep' || !unused.length) return { ...base, suggestedReduce: [] }
  const used = gatewayGrants.length - unused.length
  return {
    recommendation: 'reduce',
    reason: `allowed ${gatewayGrants.length} gateway rule${gatewayGrants.length === 1 ? '' : 's'}, used ${used} in ${days(opts.dormantDays)}: reduce (drop the ${unused.length} unused)`,
    suggestedReduce: unused,
  }
}

export type ReviewerChain = { ownerId: string | null; backupOwnerId: string | null; teamLeadId: string | null }
export type ReviewerChoice = { reviewerId: string; via: 'owner' | 'backup' | 'team_lead' | 'fallback' }

/** Owner, then backup owner, then the owning team's lead, then the fallback reviewer; only active members qualify. */
export function chooseReviewer(chain: ReviewerChain, activeMembers: ReadonlySet<string>, fallbackId: string): ReviewerChoice {
  if (chain.ownerId && activeMembers.has(chain.ownerId)) return { reviewerId: chain.ownerId, via: 'owner' }
  if (chain.backupOwnerId && activeMembers.has(chain.backupOwnerId)) return { reviewerId: chain.backupOwnerId, via: 'backup' }
  if (chain.teamLeadId && activeMembers.has(chain.teamLeadId)) return { reviewerId: chain.teamLeadId, via: 'team_lead' }
  return { reviewerId: fallbackId, via: 'fallback' }
}

/** The next period's dates for a recurring campaign. */
export function nextPeriod(recurrence: string, from: Date): Date {
  const d = new Date(from)
  if (recurrence === 'monthly') d.setUTCMonth(d.getUTCMonth() + 1)
  else if (recurrence === 'quarterly') d.setUTCMonth(d.getUTCMonth() + 3)
  else if (recurrence === 'yearly') d.setUTCFullYear(d.getUTCFullYear() + 1)
  return d
}

/** Median of a sorted-or-not list of numbers (null when empty). */
export function median(values: number[]): number | null {
  if (!values.length) return null
  const s = [...values].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
