import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'
import { answerMetricsRequests } from '@/lib/telemetry/cluster'

// The process's Prometheus metrics (prom-client). Each process keeps its own: the web app (API calls, rate-limit
// refusals), the worker (job outcomes) and the gateway (its calls); each serves them on its own /metrics
// (lib/telemetry/endpoint.ts, lib/telemetry/server.ts), the web app's summed over its processes when it runs several
// (lib/telemetry/cluster.ts), with the job queue read at scrape time. Label values are bounded: routes are the
// OpenAPI path templates or gateway route ids, never a raw URL.

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

function build() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'custodian_' })
  const registers = [registry]
  return {
    registry,
    httpRequests: new Counter({
      name: 'custodian_http_requests_total',
      help: 'HTTP requests answered by the web app, by route template, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'custodian_http_request_duration_seconds',
      help: 'Time to answer an HTTP request of the web app (to the response headers), by route template and method.',
      labelNames: ['route', 'method'] as const,
      buckets: SECONDS,
      registers,
    }),
    apiCalls: new Counter({
      name: 'custodian_api_calls_total',
      help: 'REST API calls by the kind of token that made them (api_token, workload, none) and status.',
      labelNames: ['token_kind', 'status'] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: 'custodian_rate_limit_refusals_total',
      help: 'Calls refused with 429 by a rate limit, by component (api, gateway) and the limit that refused (token, org, identity_route).',
      labelNames: ['component', 'scope'] as const,
      registers,
    }),
    jobOutcomes: new Counter({
      name: 'custodian_job_outcomes_total',
      help: 'Job runs finished by this process, by job type and outcome (succeeded, retrying, failed).',
      labelNames: ['type', 'outcome'] as const,
      registers,
    }),
    gatewayRequests: new Counter({
      name: 'custodian_gateway_requests_total',
      help: 'Calls through the access gateway, by gateway route id (none when no route matched), method, status and decision.',
      labelNames: ['route', 'method', 'status', 'decision'] as const,
      registers,
    }),
    gatewayDuration: new Histogram({
      name: 'custodian_gateway_request_duration_seconds',
      help: 'Time the access gateway took per call, upstream included, by gateway route id and decision.',
      labelNames: ['route', 'decision'] as const,
      buckets: SECONDS,
      registers,
    }),
  }
}

export type Metrics = ReturnType<typeof build>

// One set per process: Next may load this module once per bundle, and they must all count into the same registry.
const g = globalThis as { __custodianMetrics?: Metrics }

export function metrics(): Metrics {
  if (!g.__custodianMetrics) {
    g.__custodianMetrics = build()
    answerMetricsRequests(g.__custodianMetrics.registry)
  }
  return g.__custodianMetrics
}
