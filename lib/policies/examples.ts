// Ready-made policies the Policies page offers to insert. Each is tested (tests/integration/policies.test.ts) to refuse
// the exchange it describes.

export type PolicyExample = { id: string; title: string; description: string; text: string }

export const POLICY_EXAMPLES: readonly PolicyExample[] = [
  {
    id: 'owner-required',
    title: 'Owner required',
    description: 'No exchanged credential for an identity nobody owns.',
    text: `@id("owner-required")
forbid (principal, action == Action::"exchange", resource)
when { !principal.owned };`,
  },
  {
    id: 'production-isolation',
    title: 'Production isolation',
    description: 'Production targets only for production identities.',
    text: `@id("production-isolation")
forbid (principal, action, resource)
when { resource.environment == "production" && principal.environment != "production" };`,
  },
  {
    id: 'privileged-short-ttl',
    title: 'Short TTL when privileged',
    description: 'Privileged identities get credentials of at most 5 minutes.',
    text: `@id("privileged-short-ttl")
forbid (principal, action == Action::"exchange", resource)
when { principal.privileged && context.ttlSeconds > 300 };`,
  },
  {
    id: 'agents-office-hours',
    title: 'AI agents in office hours',
    description: 'ai_agent identities only Monday–Friday, 08:00–18:00 UTC.',
    text: `@id("agents-office-hours")
forbid (principal, action, resource)
when { principal.kind == "ai_agent" }
unless { context has hourUtc && context has weekday && context.hourUtc >= 8 && context.hourUtc < 18 && context.weekday >= 1 && context.weekday <= 5 };`,
  },
]
