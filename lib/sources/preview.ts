import 'server-only'
import type { Ctx } from '@/lib/auth/org-context'
import { readImportFile } from '@/lib/connectors/import/formats'
import type { DiscoveryError, DiscoverySkip } from '@/lib/connectors/types'
import { db } from '@/lib/db'
import type { ImportFormat } from '@/lib/sources/schemas'

export type PreviewRow = {
  externalId: string
  name: string
  kind: string
  environment: string
  ownerEmail: string | null
  /** whether the owner e-mail is an active member (only members become owners), null without one */
  ownerIsMember: boolean | null
  createdAt: string | null
  /** null with usageReported: never used; null without: the file does not say */
  lastUsedAt: string | null
  usageReported: boolean
}
export type ImportPreview = {
  rows: PreviewRow[]
  errors: DiscoveryError[]
  identities: number
  credentials: number
  grants: number
  errorCount: number
  /** records that are not NHIs (people), which the import leaves out */
  skipped: number
  skippedSamples: DiscoverySkip[]
  /** identities whose owner e-mail is not an active member: they are imported without that owner */
  ownersUnmatched: number
  ownersUnmatchedEmails: string[]
  /** false when the scan stopped at its time budget (very large files): the counts cover the part read */
  complete: boolean
}

/**
 * Reads the file as the import will (same reader), keeping the first rows and errors; stops after budgetMs.
 * Runs in the preview job (the worker); onProgress gets the bytes read so far, about once a second.
 */
export async function previewImport(
  format: ImportFormat,
  file: string,
  opts: { rows?: number; errors?: number; budgetMs?: number; onProgress?: (bytes: number) => Promise<void>; members?: ReadonlySet<string> } = {},
): Promise<ImportPreview> {
  const maxRows = opts.rows ?? 20
  const maxErrors = opts.errors ?? 100
  const deadline = Date.now() + (opts.budgetMs ?? 30_000)
  const p: ImportPreview = {
    rows: [],
    errors: [],
    identities: 0,
    credentials: 0,
    grants: 0,
    errorCount: 0,
    skipped: 0,
    skippedSamples: [],
    ownersUnmatched: 0,
    ownersUnmatchedEmails: [],
    complete: true,
  }
  const isMember = (email: string | null | undefined) => (email ? (opts.members ? opts.members.has(email.toLowerCase()) : null) : null)
  const seen = new Set<string>()
  let read = 0
  let reported = Date.now()
  for await (const page of readImportFile(format, file, { onBytes: (n) => (read = n) })) {
    if (opts.onProgress && Date.now() - reported > 1000) {
      reported = Date.now()
      await opts.onProgress(read)
    }
    for (const i of page.identities ?? []) {
      if (seen.size < 1_000_000) seen.add(i.externalId)
      const member = isMember(i.ownerEmail)
      if (member === false) {
        p.ownersUnmatched++
        const email = i.ownerEmail!.toLowerCase()
        if (p.ownersUnmatchedEmails.length < 20 && !p.ownersUnmatchedEmails.includes(email)) p.ownersUnmatchedEmails.push(email)
      }
      if (p.rows.length < maxRows && !p.rows.some((r) => r.externalId === i.externalId)) {
        p.rows.push({
          externalId: i.externalId,
          name: i.name,
          kind: i.kind,
          environment: i.environment ?? 'unknown',
          ownerEmail: i.ownerEmail ?? null,
          ownerIsMember: member,
          createdAt: i.createdAt?.toISOString() ?? null,
          lastUsedAt: i.lastUsedAt?.toISOString() ?? null,
          usageReported: i.lastUsedAt !== undefined,
        })
      }
    }
    for (const k of page.skipped ?? []) {
      p.skipped++
      if (p.skippedSamples.length < maxErrors) p.skippedSamples.push(k)
    }
    p.credentials += page.credentials?.length ?? 0
    p.grants += page.grants?.length ?? 0
    for (const e of page.errors ?? []) {
      p.errorCount++
      if (p.errors.length < maxErrors) p.errors.push(e)
    }
    if (Date.now() > deadline) {
      p.complete = false
      break
    }
  }
  p.identities = seen.size
  return p
}

/** E-mails (lower-cased) of the organization's active members: the people an imported owner e-mail can name. */
export async function memberEmails(ctx: Ctx): Promise<Set<string>> {
  const rows = await db.membership.findMany({
    where: { orgId: ctx.org.id, status: 'active', user: { active: true } },
    select: { user: { select: { email: true } } },
  })
  return new Set(rows.map((m) => m.user.email.toLowerCase()))
}
