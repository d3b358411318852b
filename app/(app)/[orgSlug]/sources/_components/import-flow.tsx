'use client'
import Link from 'next/link'
import { useEffect, useRef, useState } from 'react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Field } from '@/components/ui/field'
import { countOf, formatNumber } from '@/components/ui/format'
import { Select } from '@/components/ui/select'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { startImportAction } from '@/lib/sources/actions'
import { FORMAT_INFO, type ImportFormat } from '@/lib/sources/schemas'
import { NewSourceForm } from './new-source-form'

type SourceOption = { id: string; name: string; format: ImportFormat; defaultEnvironment: string | null }
type Skip = { line?: number; name: string; reason: string }
type Preview = {
  rows: {
    externalId: string
    name: string
    kind: string
    environment: string
    ownerEmail: string | null
    ownerIsMember?: boolean | null
    createdAt: string | null
    lastUsedAt: string | null
    usageReported?: boolean
  }[]
  errors: { line?: number; ref?: string; message: string }[]
  identities: number
  credentials: number
  grants: number
  errorCount: number
  skipped?: number
  skippedSamples?: Skip[]
  ownersUnmatched?: number
  ownersUnmatchedEmails?: string[]
  complete: boolean
}
type Uploaded = { uploadId: string; fileName: string; bytes: number; preview: Preview }
type JobState = { id: string; status: string; progress: number; total: number; lastError: string | null; result: Record<string, unknown> | null }
/** A file uploaded and being read by the worker for its preview. */
type Checking = { fileName: string; bytes: number; job: JobState }

const percent = (j: JobState) => (j.total ? Math.min(100, Math.round((100 * j.progress) / j.total)) : 0)

export function ImportFlow({ orgSlug, sources: initial, initialSourceId }: { orgSlug: string; sources: SourceOption[]; initialSourceId: string }) {
  const [sources, setSources] = useState(initial)
  const [sourceId, setSourceId] = useState(initialSourceId)
  const [file, setFile] = useState<File | null>(null)
  const [uploading, setUploading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [checking, setChecking] = useState<Checking | null>(null)
  const [uploaded, setUploaded] = useState<Uploaded | null>(null)
  const [allOrNothing, setAllOrNothing] = useState(false)
  const [full, setFull] = useState(false)
  const [job, setJob] = useState<JobState | null>(null)
  const startImport = useOrgAction(startImportAction, {
    refresh: false,
    onSuccess: (r) => setJob({ id: r.jobId, status: 'queued', progress: 0, total: 0, lastError: null, result: null }),
  })
  const fileInput = useRef<HTMLInputElement>(null)
  const source = sources.find((s) => s.id === sourceId)

  useEffect(() => {
    if (!job || ['succeeded', 'failed', 'canceled'].includes(job.status)) return
    const t = setTimeout(async () => {
      const res = await fetch(`/api/orgs/${orgSlug}/imports/${job.id}`, { cache: 'no-store' })
      if (res.ok) setJob(await res.json())
    }, 1000)
    return () => clearTimeout(t)
  }, [job, orgSlug])

  // The preview is read by the worker: poll its job until it has the preview or says why the file was refused.
  useEffect(() => {
    if (!checking) return
    const t = setTimeout(async () => {
      try {
        const res = await fetch(`/api/orgs/${orgSlug}/imports/${checking.job.id}`, { cache: 'no-store' })
        const body = await res.json().catch(() => ({}))
        if (!res.ok) {
          setChecking(null)
          return setError(body.error ?? `The file could not be checked (HTTP ${res.status}).`)
        }
        const j = body as JobState
        if (j.status === 'succeeded' && j.result) {
          setChecking(null)
          setUploaded(j.result as Uploaded)
        } else if (j.status === 'failed' || j.status === 'canceled') {
          setChecking(null)
          setError(j.lastError ?? 'The file could not be read.')
        } else setChecking({ ...checking, job: j })
      } catch {
        setChecking({ ...checking })
      }
    }, 700)
    return () => clearTimeout(t)
  }, [checking, orgSlug])

  const reset = () => {
    setChecking(null)
    setUploaded(null)
    setJob(null)
    setError(null)
  }

  async function upload() {
    if (!file || !source) return
    reset()
    setUploading(true)
    try {
      const q = new URLSearchParams({ format: source.format, sourceId: source.id, name: file.name })
      const res = await fetch(`/api/orgs/${orgSlug}/imports?${q}`, { method: 'POST', body: file, headers: { 'content-type': 'application/octet-stream' } })
      const body = await res.json().catch(() => ({ error: `The upload failed (HTTP ${res.status}).` }))
      if (!res.ok) setError(body.error ?? `The upload failed (HTTP ${res.status}).`)
      else
        setChecking({
          fileName: body.fileName,
          bytes: body.bytes,
          job: { id: body.jobId, status: 'queued', progress: 0, total: body.bytes, lastError: null, result: null },
        })
    } catch {
      setError('The upload did not reach the server. Check your connection and try again.')
    } finally {
      setUploading(false)
    }
  }

  const done = job && ['succeeded', 'failed'].includes(job.status)
  const result = job?.result as {
    added?: number
    changed?: number
    gone?: number
    unchanged?: number
    errors?: number
    errorSamples?: Preview['errors']
    skipped?: number
    ownersUnmatched?: number
    ownersUnmatchedSamples?: string[]
  } | null
  const skipped = uploaded?.preview.skipped ?? 0
  const unmatched = uploaded?.preview.ownersUnmatched ?? 0

  return (
    <div className="flex max-w-5xl flex-col gap-5">
      <Card title="1. Choose the source and the file">
        {sources.length === 0 ? (
          <p className="text-sm text-slate-600">There is no import source yet: create one first.</p>
        ) : (
          <form className="flex flex-wrap items-end gap-3 text-sm" onSubmit={submitted(() => upload())}>
            <Field label="Source">
              <Select
                value={sourceId}
                onChange={(e) => {
                  setSourceId(e.target.value)
                  reset()
                }}
                options={sources.map((s) => ({ value: s.id, label: `${s.name} — ${FORMAT_INFO[s.format].label}` }))}
              />
            </Field>
            <label className="flex flex-col gap-1">
              <span className="text-sm font-medium text-slate-700">File{source ? ` (${FORMAT_INFO[source.format].label})` : ''}</span>
              <input
                ref={fileInput}
                type="file"
                accept={source ? FORMAT_INFO[source.format].accept : undefined}
                onChange={(e) => {
                  setFile(e.target.files?.[0] ?? null)
                  reset()
                }}
                className="text-sm file:mr-2 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-slate-700"
                aria-label="File"
              />
            </label>
            <Button type="submit" disabled={!file || uploading || !!checking}>
              {uploading ? 'Uploading…' : checking ? 'Checking…' : 'Upload and preview'}
            </Button>
            {source ? <p className="w-full text-xs text-slate-500">{FORMAT_INFO[source.format].hint}</p> : null}
          </form>
        )}
        {checking ? (
          <div className="mt-3" data-testid="preview-progress" aria-live="polite">
            <p className="mb-1 text-sm text-slate-700">
              {checking.job.status === 'queued'
                ? `Uploaded ${checking.fileName}; waiting for a worker to read it…`
                : `Reading ${checking.fileName}… ${percent(checking.job)}%`}
            </p>
            <div
              className="h-2 w-full overflow-hidden rounded bg-slate-100"
              role="progressbar"
              aria-label="Reading the file"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent(checking.job)}
            >
              <div className="h-full bg-indigo-500 transition-all" style={{ width: `${Math.max(5, percent(checking.job))}%` }} />
            </div>
          </div>
        ) : null}
        {(error ?? startImport.error) ? (
          <p className="mt-3 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800" data-testid="import-error">
            {error ?? startImport.error}
          </p>
        ) : null}
      </Card>

      {uploaded ? (
        <Card title={`2. Preview of ${uploaded.fileName}`}>
          <p className="mb-3 text-sm text-slate-700" data-testid="preview-summary">
            {countOf(uploaded.preview.identities, 'identity', 'identities')}, {countOf(uploaded.preview.credentials, 'credential')},{' '}
            {countOf(uploaded.preview.grants, 'grant')}
            {uploaded.preview.errorCount ? (
              <span className="font-medium text-rose-700"> · {countOf(uploaded.preview.errorCount, 'row')} with errors</span>
            ) : (
              ' · no errors'
            )}
            {skipped ? <span> · {countOf(skipped, 'person', 'people')} left out (not NHIs)</span> : null}
            {uploaded.preview.complete ? '' : ' (counted in the first part of the file; the import reads all of it)'}
          </p>
          {uploaded.preview.errors.length ? (
            <div className="mb-4 rounded-md border border-rose-200 bg-rose-50 p-3" data-testid="preview-errors">
              <p className="mb-1 text-sm font-medium text-rose-900">
                These rows will not be imported{allOrNothing ? ', and with all-or-nothing the whole file is refused' : ''}:
              </p>
              <ul className="max-h-48 list-inside list-disc overflow-y-auto text-sm text-rose-800">
                {uploaded.preview.errors.map((e, i) => (
                  <li key={i}>
                    {e.line && !e.ref ? `Line ${e.line}` : (e.ref ?? `Record ${e.line}`)}: {e.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {skipped ? (
            <div className="mb-4 rounded-md border border-slate-200 bg-slate-50 p-3" data-testid="preview-skipped">
              <p className="mb-1 text-sm font-medium text-slate-900">
                Not imported: {countOf(skipped, 'user is a person', 'users are people')}, not {skipped === 1 ? 'an NHI' : 'NHIs'}, so{' '}
                {skipped === 1 ? 'it stays' : 'they stay'} out of the inventory, the dashboard and reviews:
              </p>
              <ul className="max-h-40 list-inside list-disc overflow-y-auto text-sm text-slate-700">
                {(uploaded.preview.skippedSamples ?? []).map((k, i) => (
                  <li key={i}>
                    {k.line ? `Line ${k.line}: ` : ''}
                    <span className="font-medium">{k.name}</span> — {k.reason}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {unmatched ? (
            <div className="mb-4 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" data-testid="preview-owners">
              <p>
                <span className="font-medium">
                  {countOf(unmatched, 'identity names an owner who is', 'identities name owners who are')} not a member of this organization
                </span>{' '}
                ({(uploaded.preview.ownersUnmatchedEmails ?? []).join(', ')}): {unmatched === 1 ? 'it is' : 'they are'} imported without that owner. Only
                members can own identities: once an admin adds the {unmatched === 1 ? 'person' : 'people'} (Settings → Members), import the file again to apply{' '}
                {unmatched === 1 ? 'it' : 'them'}.
              </p>
            </div>
          ) : null}
          <div className="overflow-x-auto rounded-md border border-slate-200">
            <table className="min-w-full text-sm" data-testid="preview-table">
              <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  {['Name', 'External id', 'Kind', 'Environment', 'Owner', 'Last used'].map((h) => (
                    <th key={h} scope="col" className="px-3 py-2">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {uploaded.preview.rows.map((r) => (
                  <tr key={r.externalId}>
                    <td className="px-3 py-1.5 font-medium">{r.name}</td>
                    <td className="max-w-xs truncate px-3 font-mono text-xs text-slate-600" title={r.externalId}>
                      {r.externalId}
                    </td>
                    <td className="px-3">{r.kind}</td>
                    <td className="px-3">
                      {r.environment === 'unknown' && source?.defaultEnvironment ? (
                        <span title="The file does not say; the source’s environment setting applies">
                          {source.defaultEnvironment} <span className="text-xs text-slate-500">(source setting)</span>
                        </span>
                      ) : (
                        r.environment
                      )}
                    </td>
                    <td className="px-3">
                      {r.ownerEmail ?? '—'}
                      {r.ownerIsMember === false ? (
                        <span className="ml-1">
                          <Badge tone="amber" title="Not a member of this organization: imported without an owner">
                            not a member
                          </Badge>
                        </span>
                      ) : null}
                    </td>
                    <td className="px-3 text-slate-600">
                      {r.lastUsedAt?.slice(0, 10) ?? (r.usageReported === false ? <span title="The file does not report usage">unknown</span> : 'never')}
                    </td>
                  </tr>
                ))}
                {uploaded.preview.rows.length === 0 ? (
                  <tr>
                    <td colSpan={6} className="px-3 py-4 text-center text-slate-500">
                      No readable rows.
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          <div className="mt-4 flex flex-col gap-2 text-sm">
            <label className="flex items-start gap-2">
              <input type="checkbox" className="mt-0.5" checked={allOrNothing} onChange={(e) => setAllOrNothing(e.target.checked)} disabled={!!job} />
              <span>
                <span className="font-medium">All or nothing</span> — if any row has an error, import nothing.
              </span>
            </label>
            <label className="flex items-start gap-2">
              <input type="checkbox" className="mt-0.5" checked={full} onChange={(e) => setFull(e.target.checked)} disabled={!!job} />
              <span>
                <span className="font-medium">This file is the source’s complete inventory</span> — identities of “{source?.name}” missing from it are marked
                deleted (kept for history).
              </span>
            </label>
            <div className="mt-2">
              <Button
                disabled={startImport.pending || !!job}
                onClick={() => startImport.run({ orgSlug, uploadId: uploaded.uploadId, allOrNothing, mode: full ? 'full' : 'partial' })}
              >
                {startImport.pending ? 'Starting…' : 'Import'}
              </Button>
            </div>
          </div>
        </Card>
      ) : null}

      {job ? (
        <Card title="3. Import">
          <div data-testid="import-status" aria-live="polite">
            {!done ? (
              <>
                <p className="mb-2 text-sm text-slate-700">
                  {job.status === 'queued'
                    ? 'Waiting for a worker…'
                    : `Importing… ${formatNumber(job.progress)}${job.total ? ` of ${formatNumber(job.total)}` : ''} records`}
                </p>
                <div
                  className="h-2 w-full overflow-hidden rounded bg-slate-100"
                  role="progressbar"
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={job.total ? Math.round((100 * job.progress) / job.total) : 0}
                >
                  <div
                    className="h-full bg-indigo-500 transition-all"
                    style={{ width: `${job.total ? Math.min(100, (100 * job.progress) / job.total) : 5}%` }}
                  />
                </div>
              </>
            ) : job.status === 'succeeded' ? (
              <div className="text-sm text-slate-700">
                <p className="font-medium text-emerald-700">Import finished.</p>
                <p className="mt-1">
                  {formatNumber(result?.added ?? 0)} added, {formatNumber(result?.changed ?? 0)} changed, {formatNumber(result?.unchanged ?? 0)} unchanged,{' '}
                  {formatNumber(result?.gone ?? 0)} marked deleted
                  {result?.errors ? `, ${countOf(result.errors, 'row')} skipped with errors` : ''}.
                </p>
                {result?.skipped ? (
                  <p className="mt-1">
                    {countOf(result.skipped, 'person', 'people')} left out: not {result.skipped === 1 ? 'an NHI' : 'NHIs'}.
                  </p>
                ) : null}
                {result?.ownersUnmatched ? (
                  <p className="mt-1 text-amber-800">
                    {countOf(result.ownersUnmatched, 'identity has', 'identities have')} no owner yet: {(result.ownersUnmatchedSamples ?? []).join(', ')}{' '}
                    {(result.ownersUnmatchedSamples ?? []).length === 1 ? 'is' : 'are'} not a member of this organization.
                  </p>
                ) : null}
                <Link className="mt-2 inline-block font-medium text-indigo-700 hover:underline" href={`/${orgSlug}/identities?source=${sourceId}`}>
                  See the imported identities →
                </Link>
              </div>
            ) : (
              <div className="text-sm">
                <p className="font-medium text-rose-700">The import failed; nothing was imported from the failed part.</p>
                <p className="mt-1 text-rose-800">{job.lastError}</p>
              </div>
            )}
          </div>
        </Card>
      ) : null}

      <NewSourceForm
        orgSlug={orgSlug}
        onCreated={(s) => {
          setSources((all) => [...all, { ...s, defaultEnvironment: null }].sort((a, b) => a.name.localeCompare(b.name)))
          setSourceId(s.id)
          reset()
          if (fileInput.current) fileInput.current.value = ''
          setFile(null)
        }}
      />
    </div>
  )
}
