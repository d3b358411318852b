import type { Metadata } from 'next'
import Link from 'next/link'
import { type ListPageProps, paging } from '@/components/data-table/search-params'
import { listColumns } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { Badge } from '@/components/ui/badge'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { formatAgo, formatCount, formatDate, formatNumber, renderTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { SEVERITY_TONES, toneOf } from '@/components/ui/tones'
import { pageContext } from '@/lib/auth/session'
import { can } from '@/lib/auth/permissions'
import { KIND_LABELS } from '@/lib/inventory/schemas'
import { getMyOverview } from '@/lib/ownership/queries'
import { personStatus } from '@/lib/members/person'
import { PersonName } from '@/components/members/person-status'
import { AttestButton } from '../identities/[identityId]/_components/attest-button'
import { TransferDecision } from './_components/transfer-decision'
import { parseMySearchParams } from './search-params'

export const metadata: Metadata = { title: 'My identities' }

const COLUMNS = listColumns({
  identity: ['Identity', 'max-w-md whitespace-normal'],
  role: 'Role',
  findings: ['Risk findings', 'whitespace-normal'],
  attestation: 'Attestation',
  action: ['Action', undefined, { align: 'end' }],
})

export default async function MyPage({ params, searchParams }: ListPageProps) {
  const ctx = await pageContext((await params).orgSlug)
  const p = parseMySearchParams(await searchParams)
  const my = await getMyOverview(ctx, p)
  const now = renderTime()
  const base = `/${ctx.org.slug}`
  const canAttest = can(ctx.role, 'identity:attest')

  return (
    <div className="space-y-5">
      <PageHeader
        title="My identities"
        description={
          <span data-testid="my-summary">
            You own {formatCount(my.owned, my.ownedAtLeast)} and back up {formatCount(my.backup, my.backupAtLeast)} non-human{' '}
            {my.total === 1 ? 'identity' : 'identities'}
            {my.attestationDue ? ` · ${formatCount(my.attestationDue, my.attestationDueAtLeast)} due for attestation` : ''}.
          </span>
        }
      />

      {my.incoming.length ? (
        <Card title={`Hand-offs waiting for you (${my.incoming.length})`}>
          <ul className="divide-y divide-slate-100 text-sm" data-testid="incoming-transfers">
            {my.incoming.map((t) => (
              <li key={t.id} className="flex flex-wrap items-center justify-between gap-3 py-2">
                <div>
                  <Link href={`${base}/identities/${t.identity.id}`} className="font-medium text-slate-900 hover:text-indigo-700">
                    {t.identity.name}
                  </Link>
                  <span className="text-slate-500">
                    {' '}
                    from {t.fromName} · {formatAgo(t.createdAt, now)}
                  </span>
                  {t.note ? <p className="text-xs text-slate-600">“{t.note}”</p> : null}
                </div>
                <TransferDecision orgSlug={ctx.org.slug} transferId={t.id} identityName={t.identity.name} />
              </li>
            ))}
          </ul>
        </Card>
      ) : null}

      <div className="grid gap-5 lg:grid-cols-2">
        <Card title={`Review items (${formatCount(my.reviewTotal, my.reviewTotalAtLeast)})`}>
          {my.reviewTotal === 0 ? (
            <p className="text-sm text-slate-500" data-testid="no-reviews">
              No access reviews are waiting for you. When a campaign asks you to review an identity, it shows up here.
            </p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="review-items">
              {my.reviewItems.map((r) => (
                <li key={r.id} className="flex justify-between gap-3 py-1.5">
                  <Link href={`${base}/campaigns/${r.campaignId}`} className="text-indigo-700 hover:underline">
                    {r.campaign.name}
                  </Link>
                  <span className="truncate text-slate-600">
                    {r.identity.name}
                    {r.campaign.dueAt ? ` · due ${formatDate(r.campaign.dueAt)}` : ''}
                  </span>
                </li>
              ))}
              <MoreItems total={my.reviewTotal} atLeast={my.reviewTotalAtLeast} shown={my.reviewItems.length} />
            </ul>
          )}
        </Card>
        <Card title={`Credentials due for rotation (${formatCount(my.credentialTotal, my.credentialTotalAtLeast)})`}>
          {my.credentialTotal === 0 ? (
            <p className="text-sm text-slate-500">
              Every credential of your identities was rotated within {my.settings.rotationMaxDays} days and none expires in the next 30 days.
            </p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="due-credentials">
              {my.credentials.map((c) => {
                const expiring = c.expiresAt && c.expiresAt.getTime() < now + 30 * 86_400_000
                return (
                  <li key={c.id} className="flex justify-between gap-3 py-1.5">
                    <span className="truncate">
                      <Link href={`${base}/identities/${c.identity.id}`} className="font-medium hover:text-indigo-700">
                        {c.identity.name}
                      </Link>{' '}
                      <span className="text-slate-500">{c.label ?? c.kind}</span>
                    </span>
                    <span className={expiring ? 'text-rose-700' : 'text-amber-700'}>
                      {expiring ? `expires ${formatAgo(c.expiresAt, now)}` : `rotated ${formatAgo(c.lastRotatedAt ?? c.createdAt, now)}`}
                    </span>
                  </li>
                )
              })}
              <MoreItems total={my.credentialTotal} atLeast={my.credentialTotalAtLeast} shown={my.credentials.length} />
            </ul>
          )}
        </Card>
      </div>

      {my.outgoing.length ? (
        <Card title="Hand-offs you proposed">
          <ul className="divide-y divide-slate-100 text-sm">
            {my.outgoing.map((t) => (
              <li key={t.id} className="py-1.5">
                <Link href={`${base}/identities/${t.identity.id}`} className="font-medium hover:text-indigo-700">
                  {t.identity.name}
                </Link>
                <span className="text-slate-500"> → waiting for {t.toName}</span>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}

      <section aria-labelledby="owned-heading">
        <ListTable
          ariaLabel="Owned and backed up"
          testId="my-identities"
          toolbar={
            <div className="flex w-full flex-wrap items-baseline justify-between gap-2">
              <h2 id="owned-heading" className="text-sm font-semibold text-slate-900">
                Owned and backed up ({formatCount(my.total, my.totalAtLeast)})
              </h2>
              {my.total ? (
                <Link href={`${base}/identities?owner=me`} className="text-xs font-medium text-indigo-700 hover:underline">
                  Open in the inventory (Mine)
                </Link>
              ) : null}
            </div>
          }
          columns={COLUMNS}
          {...paging(p, my.total, my.totalAtLeast)}
          emptyState={
            <EmptyState title="You don't own any identities yet">
              When an admin assigns you an identity, or you accept a hand-off, it appears here. Browse the{' '}
              <Link href={`${base}/identities?owner=unowned`} className="text-indigo-700 underline hover:text-indigo-900">
                unowned identities
              </Link>{' '}
              to find ones you recognise.
            </EmptyState>
          }
          rows={my.identities.map((i) => {
            const due = !i.attestationDue || i.attestationDue.getTime() < now
            return {
              id: i.id,
              attrs: { 'data-testid': 'my-identity' },
              cells: {
                identity: (
                  <>
                    <Link href={`${base}/identities/${i.id}`} className="font-medium text-slate-900 hover:text-indigo-700">
                      {i.name}
                    </Link>
                    <p className="text-xs text-slate-500">
                      {KIND_LABELS[i.kind as keyof typeof KIND_LABELS] ?? i.kind} · {i.environment} · {i.source.name} · risk {i.riskScore}
                    </p>
                  </>
                ),
                role:
                  i.ownerId === ctx.user.id ? (
                    <Badge tone="indigo">owner</Badge>
                  ) : (
                    <span className="flex flex-wrap items-center gap-1">
                      <Badge>backup</Badge>
                      <span className="text-xs text-slate-500">
                        owner: {i.owner ? <PersonName name={i.owner.name} status={personStatus(i.owner)} /> : 'none'}
                      </span>
                    </span>
                  ),
                findings:
                  i._count.findings === 0 ? (
                    <span className="text-slate-500">none</span>
                  ) : (
                    <ul className="space-y-0.5">
                      {i.findings.map((f) => (
                        <li key={f.id} className="flex items-center gap-1.5">
                          <Badge tone={toneOf(SEVERITY_TONES, f.severity)}>{f.severity}</Badge>
                          <span className="text-xs">{f.title}</span>
                        </li>
                      ))}
                      {i._count.findings > i.findings.length ? <li className="text-xs text-slate-500">+{i._count.findings - i.findings.length} more</li> : null}
                    </ul>
                  ),
                attestation: (
                  <span data-testid="attestation-state">
                    {i.lastAttestedAt && !due ? (
                      <span className="text-emerald-700" title={`Attested ${formatDate(i.lastAttestedAt)}`}>
                        attested · next {formatDate(i.attestationDue)}
                      </span>
                    ) : (
                      <Badge tone="amber">{i.lastAttestedAt ? `due since ${formatDate(i.attestationDue)}` : 'never attested'}</Badge>
                    )}
                  </span>
                ),
                action: canAttest ? (
                  <AttestButton orgSlug={ctx.org.slug} identityId={i.id} identityName={i.name} intervalDays={my.settings.attestationIntervalDays} />
                ) : null,
              },
            }
          })}
        />
      </section>
    </div>
  )
}

/** The last line of a card's shortened list: how many it leaves out. */
function MoreItems({ total, atLeast = false, shown }: { total: number; atLeast?: boolean; shown: number }) {
  if (total <= shown) return null
  return (
    <li className="py-1.5 text-xs text-slate-500">
      {atLeast ? `and over ${formatNumber(total - 1 - shown)} more` : `and ${formatNumber(total - shown)} more`}
    </li>
  )
}
