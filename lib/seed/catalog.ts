// Vocabulary of the demo data: sources, what they hold (resources and entitlements), and how their NHIs are named.
import type { Rng } from './prng'

export type IdentityKind = 'service_account' | 'api_key' | 'oauth_app' | 'bot' | 'ci_cd' | 'workload' | 'ai_agent' | 'certificate' | 'other'
export const IDENTITY_KINDS: readonly IdentityKind[] = [
  'service_account',
  'api_key',
  'oauth_app',
  'bot',
  'ci_cd',
  'workload',
  'ai_agent',
  'certificate',
  'other',
]
export type Environment = 'production' | 'staging' | 'development' | 'test' | 'unknown'

export interface SourceDef {
  name: string
  type: string
  config: Record<string, unknown>
  /** 'production' or 'nonprod' when the source only holds one side (an AWS account, a cluster) */
  envScope?: 'production' | 'nonprod'
  weight: number
  kinds: readonly (readonly [IdentityKind, number])[]
  /** account number, cluster name, org name... used in external ids */
  tag: string
}

export const SERVICES = [
  'payments',
  'ledger',
  'checkout',
  'billing',
  'invoicing',
  'search',
  'catalog',
  'orders',
  'inventory',
  'shipping',
  'notifications',
  'auth',
  'identity',
  'analytics',
  'reporting',
  'fraud',
  'risk',
  'onboarding',
  'pricing',
  'recommendations',
  'media',
  'gateway',
  'webhooks',
  'crm',
  'support',
  'marketing',
  'etl',
  'warehouse',
  'ml-training',
  'feature-store',
] as const
const COMPONENTS = [
  'api',
  'worker',
  'ingest',
  'sync',
  'scheduler',
  'exporter',
  'consumer',
  'loader',
  'cron',
  'reader',
  'writer',
  'admin',
  'migrator',
  'backfill',
]
const AGENTS = [
  'support-copilot-agent',
  'sales-research-agent',
  'code-review-agent',
  'incident-triage-agent',
  'invoice-processing-agent',
  'hr-helpdesk-agent',
  'sql-analyst-agent',
  'docs-qa-agent',
  'security-triage-agent',
  'procurement-agent',
]
const INTEGRATIONS = [
  'terraform-cloud-runner',
  'datadog-integration',
  'backup-s3-writer',
  'jenkins-legacy',
  'fivetran-connector',
  'splunk-forwarder',
  'wiz-scanner',
  'snyk-scanner',
  'new-relic-agent',
  'vault-auth',
  'looker-service',
  'segment-sync',
]
const K8S_SYSTEM = [
  'argocd/argocd-application-controller',
  'monitoring/prometheus',
  'kube-system/cluster-autoscaler',
  'cert-manager/cert-manager',
  'external-secrets/external-secrets',
  'kube-system/aws-load-balancer-controller',
  'logging/fluent-bit',
  'istio-system/istiod',
]
const GH_VERBS = ['deploy', 'build', 'release', 'test', 'publish', 'terraform', 'lint', 'e2e']
const GH_APPS = ['snyk', 'vercel', 'circleci', 'linear', 'sentry', 'codecov', 'slack', 'jira', 'renovate', 'sonarcloud']
const GH_BOTS = ['renovate-bot', 'dependabot-automerge', 'release-please-bot', 'changelog-bot', 'backport-bot']
const SF_OBJECTS = ['Account', 'Contact', 'Opportunity', 'Lead', 'Case', 'Invoice__c', 'Subscription__c', 'Quote', 'Campaign', 'Order']
const OKTA_APPS = [
  'Slack',
  'Zoom',
  'Workday',
  'Jira',
  'Confluence',
  'Datadog',
  'PagerDuty',
  'Zendesk',
  'Tableau',
  'GitHub Enterprise',
  'AWS SSO',
  'Salesforce',
  'Snowflake',
  'Google Workspace',
  'Box',
]
const SNOW_TOOLS = ['dbt', 'fivetran', 'airflow', 'looker', 'tableau', 'census', 'hightouch', 'sigma']
const SNOW_ROLES = ['loader', 'transformer', 'reader', 'reporter']
const THINGS = ['events', 'exports', 'raw', 'archive', 'uploads', 'snapshots', 'audit', 'reports']

export const ENV_SHORT: Record<Environment, string> = { production: 'prod', staging: 'stg', development: 'dev', test: 'test', unknown: '' }

const ACME_SOURCES: SourceDef[] = [
  {
    name: 'AWS prod account 4821-9375-6012',
    type: 'aws',
    tag: '482193756012',
    envScope: 'production',
    weight: 14,
    config: { accountId: '482193756012', regions: ['us-east-1', 'eu-west-1'] },
    kinds: [
      ['service_account', 45],
      ['api_key', 18],
      ['workload', 28],
      ['ai_agent', 3],
      ['certificate', 4],
    ],
  },
  {
    name: 'AWS non-prod account 7310-2284-5596',
    type: 'aws',
    tag: '731022845596',
    envScope: 'nonprod',
    weight: 11,
    config: { accountId: '731022845596', regions: ['us-east-1'] },
    kinds: [
      ['service_account', 45],
      ['api_key', 22],
      ['workload', 25],
      ['ai_agent', 3],
      ['certificate', 3],
    ],
  },
  {
    name: 'GCP acme-data-platform',
    type: 'gcp',
    tag: 'acme-data-platform',
    weight: 10,
    config: { projectId: 'acme-data-platform' },
    kinds: [
      ['service_account', 60],
      ['api_key', 15],
      ['workload', 20],
      ['ai_agent', 5],
    ],
  },
  {
    name: 'Azure acme-corp tenant',
    type: 'azure',
    tag: '5f1c2a9e-7d4b-4c1a-9e2f-3b8d6a0c4e71',
    weight: 9,
    config: { tenantId: '5f1c2a9e-7d4b-4c1a-9e2f-3b8d6a0c4e71' },
    kinds: [
      ['service_account', 35],
      ['oauth_app', 30],
      ['workload', 25],
      ['ai_agent', 4],
      ['certificate', 6],
    ],
  },
  {
    name: 'Kubernetes prod-eks-use1',
    type: 'kubernetes',
    tag: 'prod-eks-use1',
    envScope: 'production',
    weight: 11,
    config: { cluster: 'prod-eks-use1' },
    kinds: [
      ['workload', 65],
      ['service_account', 30],
      ['certificate', 5],
    ],
  },
  {
    name: 'Kubernetes staging-eks-use1',
    type: 'kubernetes',
    tag: 'staging-eks-use1',
    envScope: 'nonprod',
    weight: 8,
    config: { cluster: 'staging-eks-use1' },
    kinds: [
      ['workload', 65],
      ['service_account', 30],
      ['certificate', 5],
    ],
  },
  {
    name: 'GitHub acme-corp',
    type: 'github',
    tag: 'acme-corp',
    weight: 12,
    config: { org: 'acme-corp' },
    kinds: [
      ['ci_cd', 45],
      ['oauth_app', 15],
      ['bot', 15],
      ['api_key', 25],
    ],
  },
  {
    name: 'Okta acme.okta.com',
    type: 'okta',
    tag: 'acme.okta.com',
    weight: 5,
    config: { domain: 'acme.okta.com' },
    kinds: [
      ['oauth_app', 50],
      ['api_key', 28],
      ['bot', 10],
      ['ai_agent', 12],
    ],
  },
  {
    name: 'Salesforce acme.my.salesforce.com',
    type: 'salesforce',
    tag: 'acme.my.salesforce.com',
    weight: 4,
    config: { instance: 'acme.my.salesforce.com' },
    kinds: [
      ['bot', 40],
      ['oauth_app', 40],
      ['api_key', 20],
    ],
  },
  {
    name: 'Snowflake ACME_PROD',
    type: 'snowflake',
    tag: 'ACME_PROD',
    weight: 6,
    config: { account: 'acme-prod.us-east-1' },
    kinds: [
      ['service_account', 80],
      ['other', 20],
    ],
  },
  {
    name: 'PostgreSQL payments-db',
    type: 'postgresql',
    tag: 'payments-db',
    weight: 8,
    config: { host: 'payments-db.internal.acme.example', port: 5432 },
    kinds: [
      ['service_account', 70],
      ['other', 30],
    ],
  },
]

const GLOBEX_SOURCES: SourceDef[] = [
  {
    name: 'AWS account 2209-4471-8830',
    type: 'aws',
    tag: '220944718830',
    weight: 5,
    config: { accountId: '220944718830' },
    kinds: [
      ['service_account', 50],
      ['api_key', 30],
      ['workload', 20],
    ],
  },
  {
    name: 'GitHub globex-inc',
    type: 'github',
    tag: 'globex-inc',
    weight: 3,
    config: { org: 'globex-inc' },
    kinds: [
      ['ci_cd', 60],
      ['api_key', 25],
      ['bot', 15],
    ],
  },
  {
    name: 'Kubernetes globex-gke',
    type: 'kubernetes',
    tag: 'globex-gke',
    weight: 3,
    config: { cluster: 'globex-gke' },
    kinds: [
      ['workload', 70],
      ['service_account', 30],
    ],
  },
]

export function sourcesFor(orgSlug: string): SourceDef[] {
  return orgSlug === 'acme' ? ACME_SOURCES : GLOBEX_SOURCES
}

type Ent = readonly [name: string, privileged: boolean]
export interface ResourceTemplate {
  type: string
  singleton?: boolean
  name: (r: Rng, tag: string, env: string) => string
  ext: (name: string, tag: string) => string
  ents: readonly Ent[]
}

const svc = (r: Rng) => r.pick(SERVICES)
const up = (s: string) => s.toUpperCase().replace(/-/g, '_')
// A trailing ! marks a privileged entitlement (a * would be taken for part of the name: s3:* is a wildcard permission).
const E = (...names: string[]): Ent[] => names.map((n) => [n.replace(/!$/, ''), n.endsWith('!')] as const)

export const RESOURCES: Record<string, ResourceTemplate[]> = {
  aws: [
    {
      type: 'account',
      singleton: true,
      name: (_r, tag) => `aws-account-${tag}`,
      ext: (_n, tag) => `arn:aws:iam::${tag}:root`,
      ents: E('AdministratorAccess!', 'PowerUserAccess!', 'ReadOnlyAccess', 'IAMFullAccess!'),
    },
    {
      type: 's3_bucket',
      name: (r, _t, env) => `acme-${svc(r)}-${r.pick(THINGS)}-${env}`,
      ext: (n) => `arn:aws:s3:::${n}`,
      ents: E('s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject', 's3:*!'),
    },
    {
      type: 'dynamodb_table',
      name: (r, _t, env) => `${svc(r)}-${r.pick(THINGS)}-${env}`,
      ext: (n, tag) => `arn:aws:dynamodb:us-east-1:${tag}:table/${n}`,
      ents: E('dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:*!'),
    },
    {
      type: 'kms_key',
      name: (r, _t, env) => `alias/${svc(r)}-${env}`,
      ext: (n, tag) => `arn:aws:kms:us-east-1:${tag}:${n}`,
      ents: E('kms:Decrypt', 'kms:Encrypt', 'kms:*!'),
    },
    {
      type: 'secret',
      name: (r, _t, env) => `${env}/${svc(r)}/db-credentials`,
      ext: (n, tag) => `arn:aws:secretsmanager:us-east-1:${tag}:secret:${n}`,
      ents: E('secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'),
    },
    { type: 'iam_role', name: (r) => `${svc(r)}-deployer`, ext: (n, tag) => `arn:aws:iam::${tag}:role/${n}`, ents: E('sts:AssumeRole', 'iam:PassRole!') },
  ],
  // Each provider's resource catalog is data; entries are alike by shape only.
  gcp: [
    {
      type: 'project',
      singleton: true,
      name: (_r, tag) => tag,
      ext: (n) => `projects/${n}`,
      ents: E('roles/owner!', 'roles/editor!', 'roles/viewer', 'roles/iam.serviceAccountTokenCreator!'),
    },
    {
      type: 'gcs_bucket',
      name: (r) => `acme-${svc(r)}-${r.pick(THINGS)}`,
      ext: (n) => `gs://${n}`,
      ents: E('roles/storage.objectViewer', 'roles/storage.objectCreator', 'roles/storage.objectAdmin!'),
    },
    {
      type: 'bigquery_dataset',
      name: (r) => `${up(svc(r)).toLowerCase()}_${r.pick(THINGS)}`,
      ext: (n, tag) => `${tag}:${n}`,
      ents: E('roles/bigquery.dataViewer', 'roles/bigquery.dataEditor', 'roles/bigquery.jobUser', 'roles/bigquery.admin!'),
    },
    {
      type: 'pubsub_topic',
      name: (r) => `${svc(r)}-${r.pick(THINGS)}`,
      ext: (n, tag) => `projects/${tag}/topics/${n}`,
      ents: E('roles/pubsub.publisher', 'roles/pubsub.subscriber', 'roles/pubsub.viewer'),
    },
  ],
  azure: [
    {
      type: 'subscription',
      singleton: true,
      name: () => 'acme-production',
      ext: (_n, tag) => `/subscriptions/${tag}`,
      ents: E('Owner!', 'Contributor!', 'Reader', 'User Access Administrator!'),
    },
    {
      type: 'key_vault',
      name: (r, _t, env) => `kv-${svc(r)}-${env}`,
      ext: (n) => `https://${n}.vault.azure.net`,
      ents: E('Key Vault Secrets User', 'Key Vault Reader', 'Key Vault Certificates Officer', 'Key Vault Administrator!'),
    },
    {
      type: 'storage_account',
      name: (r, _t, env) => `st${svc(r).replace(/-/g, '')}${env}`,
      ext: (n) => `https://${n}.blob.core.windows.net`,
      ents: E('Storage Blob Data Reader', 'Storage Blob Data Contributor', 'Storage Account Contributor!'),
    },
    {
      type: 'resource_group',
      name: (r, _t, env) => `rg-${svc(r)}-${env}`,
      ext: (n, tag) => `/subscriptions/${tag}/resourceGroups/${n}`,
      ents: E('Reader', 'Contributor!', 'Monitoring Reader'),
    },
  ],
  kubernetes: [
    { type: 'cluster', singleton: true, name: (_r, tag) => tag, ext: (n) => `cluster/${n}`, ents: E('cluster-admin!', 'view', 'system:auth-delegator') },
    { type: 'namespace', name: (r) => svc(r), ext: (n) => `namespace/${n}`, ents: E('admin!', 'edit', 'view', 'secrets-reader') },
    { type: 'secret', name: (r) => `${svc(r)}/${r.pick(COMPONENTS)}-credentials`, ext: (n) => `secret/${n}`, ents: E('get', 'list', 'watch') },
  ],
  github: [
    { type: 'organization', singleton: true, name: (_r, tag) => tag, ext: (n) => `org/${n}`, ents: E('owner!', 'member', 'billing_manager') },
    {
      type: 'repository',
      name: (r, tag) => `${tag}/${svc(r)}-${r.pick(COMPONENTS)}`,
      ext: (n) => `repo/${n}`,
      ents: E('admin!', 'maintain', 'write', 'triage', 'read'),
    },
  ],
  okta: [
    {
      type: 'org',
      singleton: true,
      name: (_r, tag) => tag,
      ext: (n) => `org/${n}`,
      ents: E('Super Administrator!', 'Org Administrator!', 'Read-only Administrator', 'API Access Management Administrator!'),
    },
    {
      type: 'application',
      name: (r) => r.pick(OKTA_APPS),
      ext: (n) => `app/${n.toLowerCase().replace(/\s+/g, '_')}`,
      ents: E('okta.users.read', 'okta.users.manage!', 'okta.groups.read', 'okta.apps.read', 'assigned'),
    },
  ],
  salesforce: [
    {
      type: 'org',
      singleton: true,
      name: (_r, tag) => tag,
      ext: (n) => `org/${n}`,
      ents: E('System Administrator!', 'Modify All Data!', 'View All Data', 'API Enabled'),
    },
    { type: 'sobject', name: (r) => r.pick(SF_OBJECTS), ext: (n) => `sobject/${n}`, ents: E('Read', 'Create', 'Edit', 'Delete', 'Modify All!') },
  ],
  snowflake: [
    {
      type: 'account',
      singleton: true,
      name: (_r, tag) => tag,
      ext: (n) => `account/${n}`,
      ents: E('ACCOUNTADMIN!', 'SYSADMIN!', 'SECURITYADMIN!', 'USERADMIN!'),
    },
    { type: 'database', name: (r) => `${up(svc(r))}_DB`, ext: (n) => `database/${n}`, ents: E('USAGE', 'SELECT', 'INSERT', 'OWNERSHIP!') },
    { type: 'warehouse', name: (r) => `${up(svc(r))}_WH`, ext: (n) => `warehouse/${n}`, ents: E('USAGE', 'OPERATE', 'MONITOR') },
    { type: 'schema', name: (r) => `ANALYTICS.${up(svc(r))}`, ext: (n) => `schema/${n}`, ents: E('USAGE', 'SELECT', 'CREATE TABLE') },
  ],
  postgresql: [
    {
      type: 'server',
      singleton: true,
      name: (_r, tag) => `${tag}.cluster-c9x2.us-east-1.rds.amazonaws.com`,
      ext: (n) => `server/${n}`,
      ents: E('SUPERUSER!', 'CREATEROLE!', 'pg_read_all_data', 'rds_superuser!'),
    },
    { type: 'database', name: (r) => up(svc(r)).toLowerCase(), ext: (n) => `database/${n}`, ents: E('CONNECT', 'CREATE', 'TEMPORARY', 'ALL PRIVILEGES!') },
    { type: 'schema', name: (r) => `${up(svc(r)).toLowerCase()}.public`, ext: (n) => `schema/${n}`, ents: E('USAGE', 'SELECT', 'INSERT', 'UPDATE', 'DELETE') },
    {
      type: 'table',
      name: (r) => `${up(svc(r)).toLowerCase()}.public.${r.pick(THINGS)}`,
      ext: (n) => `table/${n}`,
      ents: E('SELECT', 'INSERT', 'UPDATE', 'TRUNCATE!'),
    },
  ],
}

export interface NamedIdentity {
  name: string
  /** builds the external id from the final (de-duplicated) name and a per-source counter */
  ext: (name: string, n: number) => string
  description?: string
}

function uid(r: Rng, n: number): string {
  return `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-${'89ab'[r.int(4)]}${r.hex(3)}-${n.toString(16).padStart(12, '0')}`
}

/** A realistic name and external id for an NHI of this kind in this source. */
export function nameIdentity(r: Rng, src: SourceDef, kind: IdentityKind, env: Environment): NamedIdentity {
  const s = svc(r)
  const c = r.pick(COMPONENTS)
  const e = ENV_SHORT[env]
  const dash = e ? `-${e}` : ''
  const t = src.tag
  if (kind === 'certificate') {
    const cn = r.chance(0.2) ? `*.${s}.acme.example` : `${c}.${s}${dash}.internal.acme.example`
    return {
      name: `CN=${cn}`,
      ext: (_n, i) => (src.type === 'aws' ? `arn:aws:acm:us-east-1:${t}:certificate/${uid(r, i)}` : `serial:${r.hex(8)}${i.toString(16).padStart(8, '0')}`),
    }
  }
  if (kind === 'ai_agent') {
    const a = r.pick(AGENTS)
    return { name: r.chance(0.4) ? a : `${s}-${a}`, ext: (n, i) => `agent/${n}/${uid(r, i)}`, description: 'LLM agent acting on behalf of employees' }
  }
  switch (src.type) {
    case 'aws':
      if (kind === 'api_key') {
        const n = r.chance(0.25) ? r.pick(INTEGRATIONS) : `${s}-${c}-user`
        return { name: n, ext: (n2) => `arn:aws:iam::${t}:user/${n2}` }
      }
      if (kind === 'workload') {
        const n = r.chance(0.5) ? `lambda-${s}-${c}${dash}` : `ecs-${s}-${c}-task${dash}`
        return { name: n, ext: (n2) => `arn:aws:iam::${t}:role/service-role/${n2}` }
      }
      return { name: r.chance(0.1) ? r.pick(INTEGRATIONS) : `svc-${s}-${c}${dash}`, ext: (n2) => `arn:aws:iam::${t}:role/${n2}` }
    case 'gcp':
      if (kind === 'api_key') return { name: `gcp-api-key-${s}-${c}`, ext: (_n, i) => `projects/${t}/locations/global/keys/${r.hex(8)}-${i}` }
      if (kind === 'workload') return { name: `gke-${s}-${c}${dash}`, ext: (n2) => `${t}.svc.id.goog[${s}/${n2}]` }
      return { name: `sa-${s}-${c}${dash}`, ext: (n2) => `${n2}@${t}.iam.gserviceaccount.com` }
    case 'azure':
      if (kind === 'oauth_app') return { name: `app-${s}-${c}`, ext: (_n, i) => uid(r, i) }
      if (kind === 'workload')
        return { name: `mi-${s}-${c}${dash}`, ext: (n2) => `/subscriptions/${t}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${n2}` }
      return { name: `sp-${s}-${c}${dash}`, ext: (_n, i) => uid(r, i) }
    case 'kubernetes': {
      const n = r.chance(0.06) ? K8S_SYSTEM[r.int(K8S_SYSTEM.length)] : kind === 'workload' ? `${s}/${s.split('-')[0]}-${c}` : `${s}/${c}-sa`
      return { name: `k8s:${n}`, ext: (_n, i) => uid(r, i) }
    }
    case 'github':
      if (kind === 'ci_cd') {
        const n = r.chance(0.05) ? 'terraform-cloud-runner' : `gha-${r.pick(GH_VERBS)}-${s}`
        return { name: n, ext: (n2) => `repo:${t}/${n2}:workflow` }
      }
      if (kind === 'oauth_app') return { name: r.chance(0.5) ? `${r.pick(GH_APPS)}-github-app` : `acme-${s}-app`, ext: (_n, i) => `app/${100000 + i}` }
      if (kind === 'bot') return { name: r.chance(0.4) ? r.pick(GH_BOTS) : `${s}-bot`, ext: (n2) => `bot/${n2}` }
      return { name: r.chance(0.5) ? `deploy-key-${s}${dash}` : `pat-${s}-${c}`, ext: (_n, i) => `key/${7000000 + i}` }
    case 'okta':
      if (kind === 'api_key')
        return { name: r.chance(0.2) ? 'okta-scim-provisioner' : `okta-api-${s}-sync`, ext: (_n, i) => `00T${i.toString(36).padStart(12, '0')}` }
      if (kind === 'bot') return { name: `${s}-workflow-bot`, ext: (_n, i) => `flow/${i}` }
      return { name: `okta-svc-${s}-${c}`, ext: (_n, i) => `0oa${i.toString(36).padStart(14, '0')}` }
    case 'salesforce': {
      const n = kind === 'bot' ? `sf-${s}-sync-bot` : kind === 'oauth_app' ? `sf-connected-app-${s}` : `sf-${s}-integration`
      return { name: n, ext: (_n, i) => `005${i.toString(36).toUpperCase().padStart(12, '0')}` }
    }
    case 'snowflake':
      if (kind === 'other') return { name: `${up(s).toLowerCase()}_legacy_user`, ext: (n2) => `user/${n2.toUpperCase()}` }
      return { name: `snowflake-${r.pick(SNOW_TOOLS)}-${r.pick(SNOW_ROLES)}`, ext: (n2) => `user/${up(n2)}` }
    default:
      if (kind === 'other') {
        const n = r.chance(0.2)
          ? r.pick(['reporting_readonly', 'migration_owner', 'legacy_batch', 'bi_export', 'replication_user'])
          : `${up(s).toLowerCase()}_${r.pick(['readonly', 'legacy', 'report', 'batch', 'dba'])}`
        return { name: n, ext: (n2) => `role/${n2}` }
      }
      return { name: `${up(s).toLowerCase()}_${c}`, ext: (n2) => `role/${n2}` }
  }
}
