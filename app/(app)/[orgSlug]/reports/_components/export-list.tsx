'use client'
import { Badge, type BadgeTone } from '@/components/ui/badge'
import { formatDateTime, formatNumber } from '@/components/ui/format'
import { useAutoRefresh } from '@/components/ui/use-auto-refresh'
import type { ExportRow } from '@/lib/reports/exports'

const TONES: Record<string, BadgeTone> = { queued: 'gray', running: 'blue', ready: 'green', failed: 'red' }
const STATUS: Record<string, string> = { queued: 'Queued', running: 'Running', ready: 'Ready', failed: 'Failed' }

const sizeText = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`

function Progress({ e }: { e: ExportRow }) {
  if (e.status === 'queued') return <span className="text-slate-600">Waiting for a worker…</span>
  const unit = e.format === 'pdf' ? 'items' : 'rows'
  // A pack moves file by file (the ZIP last); its records are counted over all its CSV files.
  const pct = e.stage
    ? Math.min(100, Math.floor(((e.stage.step - 1) / e.stage.steps) * 100))
    : e.expectedRows
      ? Math.min(100, Math.floor((e.rows / e.expectedRows) * 100))
      : null
  return (
    <div className="min-w-40">
      {e.stage ? (
        <p className="text-slate-700" data-testid="export-stage">
          {e.stage.file === 'ZIP' ? (
            'Zipping and signing'
          ) : (
            <>
              Writing <span className="font-mono text-xs">{e.stage.file}</span>
            </>
          )}{' '}
          (step {e.stage.step} of {e.stage.steps})
        </p>
      ) : null}
      <p className="mb-1 text-slate-700 tabular-nums">
        {formatNumber(e.rows)}
        {e.expectedRows && !e.stage ? ` / ${formatNumber(e.expectedRows)}` : ''} {unit}
        {e.stage ? ' written' : pct !== null ? ` (${pct}%)` : ''}
      </p>
      {pct !== null ? (
        <div
          className="h-2 w-full overflow-hidden rounded bg-slate-100"
          role="progressbar"
          aria-label={`Progress of ${e.filename}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
        >
          <div className="h-full bg-indigo-500 transition-all" style={{ width: `${Math.max(5, pct)}%` }} />
        </div>
      ) : null}
    </div>
  )
}

/** The person's background exports: status and progress (re-read every 2 s while one runs), then the file. */
export function ExportList({ exports, orgSlug }: { exports: ExportRow[]; orgSlug: string }) {
  useAutoRefresh(
    exports.some((e) => e.status === 'queued' || e.status === 'running'),
    2000,
  )
  if (exports.length === 0)
    return (
      <p className="text-sm text-slate-600" data-testid="exports-empty">
        No background exports yet. Any report above can be written to a file in the background: it stays here for 7 days.
      </p>
    )
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="exports-table">
        <thead className="border-b border-slate-200 text-xs font-medium tracking-wide text-slate-600 uppercase">
          <tr>
            <th className="py-2 pr-4">Report</th>
            <th className="py-2 pr-4">Started</th>
            <th className="py-2 pr-4">Status</th>
            <th className="py-2 pr-4">Progress</th>
            <th className="py-2">File</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {exports.map((e) => (
            <tr key={e.id} data-testid="export-row" data-status={e.status} className="align-top">
              <td className="py-2 pr-4">
                <div className="font-medium text-slate-900">{e.label}</div>
                <div className="text-xs text-slate-600">{e.filename}</div>
              </td>
              <td className="py-2 pr-4 whitespace-nowrap text-slate-700">{formatDateTime(e.createdAt)}</td>
              <td className="py-2 pr-4">
                <Badge tone={TONES[e.status] ?? 'gray'}>{STATUS[e.status] ?? e.status}</Badge>
              </td>
              <td className="py-2 pr-4">{e.status === 'failed' ? <span className="text-rose-800">{e.error}</span> : <Progress e={e} />}</td>
              <td className="py-2">
                {e.status === 'ready' && e.bytes !== null ? (
                  <div>
                    <a className="font-medium text-indigo-700 underline" href={`/api/orgs/${orgSlug}/reports/exports/${e.id}`} download>
                      Download ({sizeText(e.bytes)})
                    </a>
                    <div className="font-mono text-xs break-all text-slate-600" title="SHA-256 of the file">
                      SHA-256 {e.sha256}
                    </div>
                    {e.manifestSha256 ? (
                      <div className="font-mono text-xs break-all text-slate-600" title="SHA-256 of the signed manifest.json inside the pack">
                        Manifest {e.manifestSha256}
                      </div>
                    ) : null}
                    <div className="text-xs text-slate-600">Kept until {formatDateTime(e.expiresAt)}</div>
                  </div>
                ) : (
                  <span className="text-slate-600">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
