import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Metadata } from 'next'
import { Card } from '@/components/ui/card'
import { Field, Input } from '@/components/ui/field'
import { Forbidden } from '@/components/ui/forbidden'
import { formatDate, formatNumber } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { Select } from '@/components/ui/select'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { listMyExports } from '@/lib/reports/exports'
import { getReportsPage } from '@/lib/reports/queries'
import { MAX_RANGE_DAYS, type ExportKind } from '@/lib/reports/schemas'
import { DownloadForm } from './_components/download-form'
import { ExportList } from './_components/export-list'

export const metadata: Metadata = { title: 'Reports' }

const STATUS: Record<string, string> = { active: 'active', closing: 'closing', closed: 'closed', canceled: 'canceled' }

async function verifierScript(): Promise<string | null> {
  try {
    return await readFile(join(process.cwd(), 'scripts', 'verify-evidence.mjs'), 'utf8')
  } catch {
    return null
  }
}

function Code({ children, label }: { children: string; label: string }) {
  return (
    <pre aria-label={label} tabIndex={0} className="overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs leading-relaxed text-slate-100">
      {children}
    </pre>
  )
}

/** A report's file format choice, the first option preselected. */
function FormatField({ options }: { options: [value: string, label: string][] }) {
  return (
    <Field label="Format">
      <Select name="format" defaultValue={options[0][0]} options={options.map(([value, label]) => ({ value, label }))} />
    </Field>
  )
}

/** One report: its card and what the file holds, then its download form. */
function ReportCard({ title, about, children }: { title: string; about: string; children: React.ReactNode }) {
  return (
    <Card title={title}>
      <p className="mb-3 text-sm text-slate-600">{about}</p>
      {children}
    </Card>
  )
}

// The reports of the whole organization as it is now: no parameters, one card each.
const WHOLE_ORG_REPORTS = [
  {
    kind: 'inventory',
    title: 'Inventory snapshot',
    about:
      'Every identity as it is now: owner, backup owner, team, kind, source, environment, status, privileged, credential ages and expiry, last used, open findings with their OWASP NHI codes.',
    label: 'Download the inventory snapshot',
    submit: 'Download inventory CSV',
  },
  {
    kind: 'access',
    title: 'Access report',
    about: 'Every active grant with its identity, entitlement, resource, privileged flag and last use: who can reach what.',
    label: 'Download the access report',
    submit: 'Download access CSV',
  },
] as const

export default async function ReportsPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'report:export', 'reports'))) return <Forbidden orgSlug={ctx.org.slug} what="reports" />
  const [{ campaigns, keys, today, monthAgo }, script, exports] = await Promise.all([getReportsPage(ctx), verifierScript(), listMyExports(ctx)])
  const api = `/api/orgs/${ctx.org.slug}/reports`
  const inBackground = (kind: ExportKind, label = 'Export in background', only = false) => ({ orgSlug: ctx.org.slug, kind, label, only })
  const options = campaigns.map((c) => ({
    value: c.id,
    label: `${c.name} — ${STATUS[c.status] ?? c.status}, launched ${formatDate(c.launchedAt)}, ${formatNumber(c.items)} items`,
  }))
  const current = keys.find((k) => !k.retired)
  const campaignField = (
    <Field label="Campaign">
      <Select name="campaign" options={options} required />
    </Field>
  )
  const noCampaigns = <p className="text-sm text-slate-600">No campaign has been launched yet: campaign evidence appears here once one is.</p>
  return (
    <>
      <PageHeader
        title="Reports"
        description="Evidence for auditors: every download streams, is recorded in the audit log, and neutralises spreadsheet formulas."
      />
      <div className="grid gap-5 xl:grid-cols-2">
        <ReportCard
          title="Campaign evidence"
          about="The campaign’s definition, its population and hash, completeness, separation-of-duties exceptions, revoke-to-applied times, then every item with its decision, justification and remediation."
        >
          {campaigns.length ? (
            <DownloadForm
              action={`${api}/campaign-evidence`}
              label="Download campaign evidence"
              submit="Download evidence"
              testId="evidence-form"
              background={inBackground('campaign-evidence')}
            >
              {campaignField}
              <FormatField
                options={[
                  ['pdf', 'PDF (readable)'],
                  ['csv', 'CSV (for spreadsheets)'],
                ]}
              />
            </DownloadForm>
          ) : (
            noCampaigns
          )}
        </ReportCard>

        <ReportCard
          title="Evidence pack"
          about="One ZIP with the campaign evidence (CSV and PDF), the inventory, the access report and the audit log of the range, plus a manifest signed with the organization’s key. It is prepared in the background (minutes for a large organization) and appears under “Your background exports” to download. Anyone can verify it offline (below)."
        >
          {campaigns.length ? (
            <DownloadForm
              action={`${api}/evidence-pack`}
              label="Prepare an evidence pack"
              submit="Prepare pack"
              testId="pack-form"
              maxDays={MAX_RANGE_DAYS}
              background={inBackground('evidence-pack', 'Prepare pack', true)}
            >
              {campaignField}
              <div className="grid grid-cols-2 gap-3">
                <Field label="Audit log from" hint="Empty: the campaign’s launch day">
                  <Input type="date" name="from" />
                </Field>
                <Field label="Audit log to" hint="Empty: today">
                  <Input type="date" name="to" max={today} />
                </Field>
              </div>
            </DownloadForm>
          ) : (
            noCampaigns
          )}
        </ReportCard>

        {WHOLE_ORG_REPORTS.map((r) => (
          <ReportCard key={r.kind} title={r.title} about={r.about}>
            <DownloadForm action={`${api}/${r.kind}`} label={r.label} submit={r.submit} testId={`${r.kind}-form`} background={inBackground(r.kind)} />
          </ReportCard>
        ))}

        <ReportCard
          title="Audit log"
          about={`The events of a range of days (UTC, both days included, at most ${MAX_RANGE_DAYS}) in chain order, with each event’s previous hash and hash.`}
        >
          <DownloadForm
            action={`${api}/audit-log`}
            label="Download the audit log"
            submit="Download audit log"
            testId="audit-form"
            maxDays={MAX_RANGE_DAYS}
            background={inBackground('audit-log')}
          >
            <div className="grid grid-cols-3 gap-3">
              <Field label="From">
                <Input type="date" name="from" defaultValue={monthAgo} required />
              </Field>
              <Field label="To">
                <Input type="date" name="to" defaultValue={today} required />
              </Field>
              <FormatField
                options={[
                  ['csv', 'CSV'],
                  ['jsonl', 'JSON Lines'],
                ]}
              />
            </div>
          </DownloadForm>
        </ReportCard>

        <Card title="Your background exports" className="xl:col-span-2">
          <ExportList exports={exports} orgSlug={ctx.org.slug} />
        </Card>

        <Card title="Verify a pack offline" className="xl:col-span-2">
          <div className="space-y-3 text-sm text-slate-700">
            <p>
              {current ? (
                <>
                  This organization signs with the Ed25519 key{' '}
                  <span className="font-mono font-semibold" data-testid="signing-kid">
                    {current.kid}
                  </span>{' '}
                  (since {formatDate(current.createdAt)}). Check that a pack’s <code className="font-mono text-xs">public-key.pem</code> is this key:
                </>
              ) : (
                <>The organization’s signing key is made with its first evidence pack; its key id then appears here. Check a pack’s key with:</>
              )}
            </p>
            <Code label="Key id command">{'openssl pkey -pubin -in public-key.pem -outform DER | sha256sum | cut -c1-16'}</Code>
            <p>Then check the signature and every file:</p>
            <Code label="Verification commands">
              {[
                'unzip custodian-evidence-*.zip && cd custodian-evidence-*/',
                'openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig',
                'grep -q "\\"sha256\\": \\"$(sha256sum SHA256SUMS | cut -d\' \' -f1)\\"" manifest.json && sha256sum -c SHA256SUMS',
              ].join('\n')}
            </Code>
            <p>
              Or with Node: <code className="font-mono text-xs">node verify-evidence.mjs &lt;folder&gt; {current?.kid ?? '<key id>'}</code>, the script below
              (standard library only; <code className="font-mono text-xs">scripts/verify-evidence.mjs</code> and{' '}
              <code className="font-mono text-xs">docs/verify-evidence.md</code> in Custodian’s source).
            </p>
            {script ? (
              <details className="rounded-md border border-slate-200">
                <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-800">verify-evidence.mjs</summary>
                <Code label="verify-evidence.mjs">{script}</Code>
              </details>
            ) : null}
            {current ? (
              <details className="rounded-md border border-slate-200">
                <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-800">Public key (PEM)</summary>
                <Code label="Public key">{current.publicKeyPem}</Code>
              </details>
            ) : null}
          </div>
        </Card>
      </div>
    </>
  )
}
