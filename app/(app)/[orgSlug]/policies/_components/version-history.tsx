import { formatDateTime } from '@/components/ui/format'
import type { DiffLine } from '@/lib/policies/queries'

type Version = { version: number; summary: string; author: string; createdAt: string; added: number; removed: number; diff: DiffLine[] }

const LINE_CLASS: Record<DiffLine['kind'], string> = {
  add: 'bg-emerald-50 text-emerald-800',
  del: 'bg-rose-50 text-rose-800',
  ctx: 'text-slate-600',
  hunk: 'text-indigo-600',
}
const MARK: Record<DiffLine['kind'], string> = { add: '+', del: '−', ctx: ' ', hunk: '' }

/** Each saved version, newest first: summary, author, time and its diff from the version before (open to read). */
export function VersionHistory({ versions, more }: { versions: Version[]; more: number }) {
  return (
    <div>
      <ol className="divide-y divide-slate-100" data-testid="policy-versions">
        {versions.map((v) => (
          <li key={v.version} data-testid="policy-version">
            <details className="group py-2">
              <summary className="flex cursor-pointer list-none flex-wrap items-baseline justify-between gap-2 text-sm">
                <span>
                  <span className="mr-2 inline-block w-10 font-mono text-xs text-slate-500">v{v.version}</span>
                  <span className="font-medium text-slate-900">{v.summary}</span>
                </span>
                <span className="text-xs text-slate-500">
                  <span className="text-emerald-700">+{v.added}</span> <span className="text-rose-700">−{v.removed}</span> · {v.author} ·{' '}
                  {formatDateTime(v.createdAt)}
                </span>
              </summary>
              {v.diff.length ? (
                <pre
                  tabIndex={0}
                  aria-label={`Changes in version ${v.version}`}
                  className="mt-2 max-h-80 overflow-auto rounded-md border border-slate-100 font-mono text-[11px] leading-snug"
                  data-testid="policy-diff"
                >
                  {v.diff.map((l, i) => (
                    <div key={i} className={`px-2 ${LINE_CLASS[l.kind]}`}>
                      {l.kind === 'hunk' ? l.text : `${MARK[l.kind]} ${l.text}`}
                    </div>
                  ))}
                </pre>
              ) : (
                <p className="mt-2 text-xs text-slate-500">No line changed.</p>
              )}
            </details>
          </li>
        ))}
      </ol>
      {more ? <p className="mt-2 text-xs text-slate-500">{more} older versions are in the audit log (each save’s diff).</p> : null}
    </div>
  )
}
