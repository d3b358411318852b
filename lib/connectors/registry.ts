import 'server-only'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { demoConnector } from '@/lib/connectors/demo'
import { postgresqlConnector } from '@/lib/connectors/postgresql/connector'
import type { ActionKind, Connector, ConnectorContext, SecretDelivery } from '@/lib/connectors/types'
import { postWebhook } from '@/lib/connectors/webhook'
import { secretFromEnv } from '@/lib/env'

/** Source types with a live connector (discover and act against the real system). */
const LIVE: Record<string, Connector> = { postgresql: postgresqlConnector }

const manualConnector: Connector = { type: 'manual', supports: {}, async *discover() {} }

/** live: acts on the real system. simulated: demo source, "applies" without touching anything. manual: a person does it. */
export type ConnectorMode = 'live' | 'simulated' | 'manual'
export type SourceLike = { id?: string; name?: string; type: string; config: string; secretRef: string | null }

export function parseSourceConfig(json: string | null | undefined): Record<string, unknown> {
  try {
    const v = JSON.parse(json || '{}')
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {}
  } catch {
    return {}
  }
}

/** Which connector acts for a source. Only a source marked `config.simulated` (the seeded demo sources) simulates. */
export function resolveConnector(source: SourceLike): { connector: Connector; mode: ConnectorMode; config: Record<string, unknown> } {
  const config = parseSourceConfig(source.config)
  const live = LIVE[source.type]
  if (live && source.secretRef) return { connector: live, mode: 'live', config }
  // Never because demo mode is on: a real source that "applies" without changing anything is a silent lie.
  if (config.simulated === true) return { connector: demoConnector, mode: 'simulated', config }
  return { connector: manualConnector, mode: 'manual', config }
}

export function canAct(connector: Connector, action: ActionKind): boolean {
  return Boolean(connector.act && connector.supports[action])
}

/** The customer's automation for manual outcomes: config.webhookUrl, signed with the secret named by webhookSecretRef or secretRef. */
export function webhookFor(source: SourceLike, config = parseSourceConfig(source.config)) {
  const url = typeof config.webhookUrl === 'string' && config.webhookUrl ? config.webhookUrl : null
  if (!url) return null
  const ref = typeof config.webhookSecretRef === 'string' ? config.webhookSecretRef : source.secretRef
  const secret = secretFromEnv(ref)
  if (!secret)
    throw new Error(
      `The webhook secret is missing: set the environment variable ${ref ?? '(none named)'} (named by the source's ${typeof config.webhookSecretRef === 'string' ? 'webhookSecretRef' : 'secretRef'}).`,
    )
  return { url, secret }
}

function safeName(s: string) {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || 'identity'
}

/** Builds the connector context: config, secrets by reference only, and where rotated secrets go. */
export function connectorContext(source: SourceLike, config = parseSourceConfig(source.config)): ConnectorContext {
  const dest = typeof config.rotationDestination === 'string' ? config.rotationDestination : null
  let deliverSecret: ConnectorContext['deliverSecret']
  if (dest === 'webhook') {
    deliverSecret = async (d: SecretDelivery) => {
      const hook = webhookFor(source, config)
      if (!hook) throw new Error('rotationDestination is "webhook" but the source has no webhookUrl.')
      await postWebhook(hook, {
        id: randomBytes(8).toString('hex'),
        type: 'credential.rotated',
        source: source.name ?? null,
        identity: d.identityExternalId,
        credential: d.credentialExternalId ?? null,
        kind: d.kind,
        secret: d.value,
      })
      return `posted to the webhook at ${new URL(hook.url).host}`
    }
  } else if (dest && path.isAbsolute(dest.replace('{identity}', 'x'))) {
    deliverSecret = async (d: SecretDelivery) => {
      const file = dest.replace('{identity}', safeName(d.identityExternalId))
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
      // Written to a private temporary file and renamed, so a reader never sees a partial secret.
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
      await fs.writeFile(tmp, d.value, { mode: 0o600, flag: 'wx' })
      await fs.chmod(tmp, 0o600)
      await fs.rename(tmp, file)
      return `written to ${file}`
    }
  }
  return { config, secret: secretFromEnv, secretRef: source.secretRef, deliverSecret }
}
