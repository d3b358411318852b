// The AWS IAM credential report (aws iam get-credential-report): one row per IAM user with the state of its
// password, two access keys and two signing certificates. Values are ISO dates, 'true'/'false', or the
// markers N/A, no_information and not_supported.
import type { DiscoveredCredential, DiscoveryPage } from '@/lib/connectors/types'
import { readCsvPages } from './csv'
import { clip, ImportFormatError, parseDate, RowError, type MappedRecord } from './pages'

const REQUIRED = ['user', 'arn', 'user_creation_time', 'password_enabled', 'access_key_1_active', 'access_key_1_last_rotated']
const NONE = ['', 'N/A', 'no_information', 'not_supported'] as const
const CREDENTIAL_SLOTS = [
  { column: 'access_key', kind: 'access_key', label: 'Access key', fingerprint: 'aws-access-key', reportsUse: true },
  { column: 'cert', kind: 'certificate', label: 'Signing certificate', fingerprint: 'aws-cert', reportsUse: false },
] as const

function bool(v: string, column: string): boolean | null {
  const s = v.trim().toLowerCase()
  if (s === 'true') return true
  if (s === 'false') return false
  if ((NONE as readonly string[]).includes(v.trim())) return null
  throw new RowError(`${column}: "${clip(v)}" is not true, false or N/A`)
}
const date = (v: string, column: string) => parseDate(v, column, NONE)

/** The root user's reach: everything in the account, and no IAM policy can narrow it. */
export const ROOT_ENTITLEMENT = 'root'

export function mapCredentialReportRow(get: (c: string) => string): MappedRecord {
  const user = get('user').trim()
  const arn = get('arn').trim()
  if (!user) throw new RowError('user is empty')
  if (!/^arn:aws[\w-]*:iam::\d{12}:(root|user\/.+)$/.test(arn)) throw new RowError(`arn: "${clip(arn)}" is not an IAM user ARN`)
  const root = user === '<root_account>' || arn.endsWith(':root')
  const account = arn.split(':')[4]
  const passwordEnabled = bool(get('password_enabled'), 'password_enabled')
  const mfa = bool(get('mfa_active'), 'mfa_active')
  const created = date(get('user_creation_time'), 'user_creation_time')
  const credentials: DiscoveredCredential[] = []
  const used: (Date | null)[] = [date(get('password_last_used'), 'password_last_used')]
  if (passwordEnabled) {
    const changed = date(get('password_last_changed'), 'password_last_changed')
    credentials.push({
      identityExternalId: arn,
      externalId: `${arn}#password`,
      kind: 'password',
      label: 'Console password',
      fingerprint: `aws-password:${arn}:${changed?.toISOString() ?? created?.toISOString() ?? ''}`,
      createdAt: changed ?? created,
      lastRotatedAt: changed,
      lastUsedAt: used[0],
      status: 'active',
    })
  }
  // Access keys and signing certificates are numbered report slots read one way; certificates report no last use.
  for (const slot of CREDENTIAL_SLOTS) {
    for (const n of [1, 2]) {
      const col = `${slot.column}_${n}`
      const active = bool(get(`${col}_active`), `${col}_active`)
      const rotated = date(get(`${col}_last_rotated`), `${col}_last_rotated`)
      const lastUsed = slot.reportsUse ? date(get(`${col}_last_used_date`), `${col}_last_used_date`) : null
      if (slot.reportsUse) used.push(lastUsed)
      // A slot that never held a key or certificate reads false / N/A.
      if (!active && !rotated) continue
      credentials.push({
        identityExternalId: arn,
        externalId: `${arn}#${col}`,
        kind: slot.kind,
        label: `${slot.label} ${n}`,
        // The report names no key or certificate id; the slot plus its creation time identifies one (a new one changes it).
        fingerprint: `${slot.fingerprint}:${arn}:${n}:${rotated?.toISOString() ?? ''}`,
        createdAt: rotated ?? created,
        lastRotatedAt: rotated,
        // Without a reported last use, lastUsedAt stays out (unknown, not never).
        ...(slot.reportsUse ? { lastUsedAt: lastUsed } : {}),
        status: active ? 'active' : 'inactive',
      })
    }
  }
  // A console user with MFA and nothing a program could use (no key, no certificate) is a person, not an NHI.
  if (!root && passwordEnabled && mfa && credentials.every((c) => c.kind === 'password')) {
    return { skipped: { name: user, reason: 'a person: console password with MFA, no access keys or certificates' } }
  }
  const lastUsedAt = used.reduce<Date | null>((a, b) => (b && (!a || b > a) ? b : a), null)
  const region = (n: number) =>
    (NONE as readonly string[]).includes(get(`access_key_${n}_last_used_region`).trim()) ? undefined : get(`access_key_${n}_last_used_region`).trim()
  const service = (n: number) =>
    (NONE as readonly string[]).includes(get(`access_key_${n}_last_used_service`).trim()) ? undefined : get(`access_key_${n}_last_used_service`).trim()
  const record: MappedRecord = {
    identity: {
      externalId: arn,
      name: root ? `root (${account})` : user,
      // Console users are often people; they stay visible (NHI10: human use of an NHI) but are not called service accounts.
      kind: root || passwordEnabled ? 'other' : 'service_account',
      environment: 'unknown',
      createdAt: created,
      lastUsedAt,
      metadata: {
        account,
        arn,
        root,
        passwordEnabled,
        mfaActive: mfa,
        accessKey1LastUsedRegion: region(1),
        accessKey1LastUsedService: service(1),
        accessKey2LastUsedRegion: region(2),
        accessKey2LastUsedService: service(2),
        passwordNextRotation: get('password_next_rotation').trim() || undefined,
      },
    },
    credentials,
  }
  if (root) {
    // The report lists no permissions, but the root user's are known: all of them, beyond the reach of IAM policies.
    const resource = { externalId: `aws-account/${account}`, name: `AWS account ${account}`, type: 'aws_account' }
    record.resources = [resource]
    record.entitlements = [
      {
        resourceExternalId: resource.externalId,
        externalId: ROOT_ENTITLEMENT,
        name: 'root user (every action on every resource)',
        privileged: true,
        description: 'The account root user: IAM policies cannot restrict it. Keep it without access keys, behind MFA, and unused day to day.',
      },
    ]
    record.grants = [
      { identityExternalId: arn, resourceExternalId: resource.externalId, entitlementExternalId: ROOT_ENTITLEMENT, createdAt: created, lastUsedAt },
    ]
  }
  return record
}

export function readAwsCredentialReport(input: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): AsyncGenerator<DiscoveryPage> {
  return readCsvPages(input, {
    checkHeader(header, fields) {
      const missing = REQUIRED.filter((c) => !header.has(c))
      if (missing.length) {
        throw new ImportFormatError(
          `This does not look like an AWS IAM credential report: the header lacks ${missing.join(', ')} (found: ${clip(fields.slice(0, 5).join(', '), 100)}).`,
        )
      }
    },
    mapRow: (get) => mapCredentialReportRow(get),
    emptyMessage: 'The file is empty: an AWS credential report starts with a header row.',
  })
}
