// Ready-made policies the Policies page offers to insert. Each is tested to refuse what it describes: the exchange ones
// in tests/integration/policies.test.ts, the gateway and API ones in tests/integration/gateway-policies.test.ts.

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
  {
    id: 'unusual-gateway-use',
    title: 'Stop unusual gateway use',
    description: 'Refuse gateway calls of an identity with an open “unusual gateway use” finding until someone looks at it.',
    text: `@id("unusual-gateway-use")
forbid (principal, action == Action::"gateway_call", resource)
when { context.unusual };`,
  },
  {
    id: 'production-routes-private-networks',
    title: 'Production routes from private networks',
    description: 'Gateway calls to production routes only from 10.0.0.0/8 (and the host itself).',
    text: `@id("production-routes-private-networks")
forbid (principal, action == Action::"gateway_call", resource)
when { resource.environment == "production" }
unless { context.sourceIp.isInRange(ip("10.0.0.0/8")) || context.sourceIp.isLoopback() };`,
  },
  {
    id: 'workloads-read-only-api',
    title: 'Workloads read the API',
    description: 'Exchanged access tokens may only read through the API unless they were issued for a task.',
    text: `@id("workloads-read-only-api")
forbid (principal, action == Action::"api_call", resource)
when { context.method != "GET" && !context.hasTask };`,
  },
]
