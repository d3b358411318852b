/** A page's loading state: a title bar and the rows of a table, pulsing, named for screen readers. */
export function TableSkeleton({ label, rows = 8 }: { label: string; rows?: number }) {
  return (
    <div className="animate-pulse" aria-busy="true" aria-label={label}>
      <div className="mb-5 h-7 w-48 rounded bg-slate-200" />
      <div className="rounded-lg border border-slate-200 bg-white">
        {Array.from({ length: rows }, (_, i) => (
          <div key={i} className="h-10 border-b border-slate-100" />
        ))}
      </div>
    </div>
  )
}
