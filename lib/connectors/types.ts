// The one interface every connector implements: discover what a source holds, and act on it.
// Discovery yields records keyed by the source's own external ids; lib/connectors/sync.ts turns them into a
// diff against the inventory (new, changed, gone) and applies it in batches.

export type DiscoveredIdentity = {
  externalId: string
  name: string
  kind: 'service_account' | 'api_key' | 'oauth_app' | 'bot' | 'ci_cd' | 'workload' | 'ai_agent' | 'certificate' | 'other'
  environment?: 'production' | 'staging' | 'development' | 'test' | 'unknown'
  status?: 'active' | 'disabled'
  description?: string | null
  createdAt?: Date | null
  /** Last use: null when the source reports usage and there was none; absent when the source does not report usage (unknown). */
  lastUsedAt?: Date | null
  /** Source metadata (creator, labels...), never secrets. */
  metadata?: Record<string, unknown>
  tags?: Record<string, string>
  /** e-mail of an owner the source declares (matched to a member) */
  ownerEmail?: string | null
}

export type DiscoveredCredential = {
  identityExternalId: string
  externalId: string
  kind: 'access_key' | 'token' | 'password' | 'certificate' | 'ssh_key' | 'client_secret'
  label?: string | null
  /** Either a fingerprint computed by the connector with lib/crypto/fingerprint.ts, or a stable non-secret id to hash. */
  fingerprint: string
  createdAt?: Date | null
  lastRotatedAt?: Date | null
  expiresAt?: Date | null
  /** null: reported, never used; absent: the source does not report usage (unknown) */
  lastUsedAt?: Date | null
  status?: 'active' | 'inactive'
}

export type DiscoveredResource = { externalId: string; name: string; type: string; environment?: string }
export type DiscoveredEntitlement = { resourceExternalId: string; externalId: string; name: string; privileged: boolean; description?: string | null }
export type DiscoveredGrant = {
  identityExternalId: string
  resourceExternalId: string
  entitlementExternalId: string
  createdAt?: Date | null
  /** null: reported, never used; absent: the source does not report usage (unknown) */
  lastUsedAt?: Date | null
}
export type DiscoveredActivity = {
  identityExternalId: string
  at: Date
  kind: 'auth_success' | 'auth_failure' | 'api_call' | 'interactive_login'
  sourceIp?: string | null
}

/** A full snapshot of a source (or of one import file). Connectors may stream it in pages. */
export type DiscoveryPage = {
  identities?: DiscoveredIdentity[]
  credentials?: DiscoveredCredential[]
  resources?: DiscoveredResource[]
  entitlements?: DiscoveredEntitlement[]
  grants?: DiscoveredGrant[]
  activity?: DiscoveredActivity[]
  /** Records the connector could not read (an import file's malformed rows); the rest of the page still applies. */
  errors?: DiscoveryError[]
  /** Records the source lists that are not NHIs (an IAM user who is a person), left out on purpose and counted. */
  skipped?: DiscoverySkip[]
}

/** A record a connector could not read: where it is (line of an import file, or the source's own id) and why. */
export type DiscoveryError = { line?: number; ref?: string; message: string }

/** A record left out because it is not an NHI: its name and why. */
export type DiscoverySkip = { line?: number; name: string; reason: string }

export type ActionKind = 'revoke_grant' | 'disable_identity' | 'enable_identity' | 'delete_identity' | 'revoke_credential' | 'rotate_credential'

export type ActionTarget = {
  identityExternalId: string
  grant?: { resourceExternalId: string; entitlementExternalId: string; entitlementName: string; resourceName: string }
  credentialExternalId?: string
}

export type ActionResult =
  /** done now, or found already done (idempotent re-run) */
  | { status: 'applied'; detail?: string }
  /** the source cannot be acted on automatically: a person must do it (manual task or webhook) */
  | { status: 'manual'; instructions: string }

export type ConnectorContext = {
  /** non-secret configuration (Source.config) */
  config: Record<string, unknown>
  /** resolves a secret reference (environment variable name) to its value; never logged */
  secret: (ref: string | null | undefined) => string | undefined
  /** the Source's own secret reference (Source.secretRef), e.g. the env var holding a connection string */
  secretRef?: string | null
  /**
   * Hands a newly generated secret to the destination the Source configures (a 0600 file, the customer's webhook).
   * Returns a non-secret description of where it went. Absent when no destination is configured.
   */
  deliverSecret?: (delivery: SecretDelivery) => Promise<string>
}

export type SecretDelivery = {
  identityExternalId: string
  credentialExternalId?: string
  kind: 'password' | 'token' | 'access_key' | 'client_secret'
  value: string
}

export interface Connector {
  type: string
  /** which actions this source supports automatically */
  supports: Partial<Record<ActionKind, boolean>>
  discover(ctx: ConnectorContext): AsyncIterable<DiscoveryPage>
  act?(ctx: ConnectorContext, action: ActionKind, target: ActionTarget): Promise<ActionResult>
  /**
   * The same as `act` on each target, in order (a result or the error that target failed with), for a source that can
   * do many at once more cheaply (one statement per privilege instead of one per role). Optional.
   */
  actMany?(ctx: ConnectorContext, action: ActionKind, targets: readonly ActionTarget[]): Promise<(ActionResult | Error)[]>
}
