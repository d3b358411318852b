import 'server-only'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { pageWindow } from '@/components/data-table/search-params'
import { db } from '@/lib/db'

type Page = { page: number; size: number }

export type CredentialFilter = { identityId?: string; kind?: string; status?: string }

/** The organization's credentials, newest first (the secret's fingerprint is never read). */
export async function listCredentials(ctx: Ctx, f: CredentialFilter & Page) {
  assertCan(ctx, 'identity:read')
  return db.credential.findMany({
    where: {
      orgId: ctx.org.id,
      ...(f.identityId ? { identityId: f.identityId } : {}),
      ...(f.kind ? { kind: f.kind } : {}),
      ...(f.status ? { status: f.status } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    ...pageWindow(f),
    select: {
      id: true,
      kind: true,
      label: true,
      externalId: true,
      status: true,
      createdAt: true,
      lastRotatedAt: true,
      expiresAt: true,
      lastUsedAt: true,
      usageReported: true,
      identity: { select: { id: true, name: true } },
    },
  })
}

export type GrantFilter = { identityId?: string; resourceId?: string; privileged?: boolean; status?: string }

/** The organization's grants (who may do what on which resource), privileged first. */
export async function listGrants(ctx: Ctx, f: GrantFilter & Page) {
  assertCan(ctx, 'identity:read')
  return db.grant.findMany({
    where: {
      orgId: ctx.org.id,
      ...(f.identityId ? { identityId: f.identityId } : {}),
      ...(f.resourceId ? { entitlement: { resourceId: f.resourceId } } : {}),
      ...(f.privileged !== undefined ? { privileged: f.privileged } : {}),
      ...(f.status ? { status: f.status } : {}),
    },
    orderBy: [{ privileged: 'desc' }, { createdAt: 'desc' }, { id: 'asc' }],
    ...pageWindow(f),
    select: {
      id: true,
      privileged: true,
      status: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
      usageReported: true,
      identity: { select: { id: true, name: true } },
      entitlement: { select: { id: true, name: true, resource: { select: { id: true, name: true, type: true } } } },
    },
  })
}
