export default function Loading() {
  return (
    <div className="animate-pulse" aria-busy="true" aria-label="Loading identities">
      <div className="mb-5 h-7 w-48 rounded bg-slate-200" />
      <div className="mb-4 flex gap-2">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="h-8 w-32 rounded bg-slate-200" />
        ))}
      </div>
      <div className="rounded-lg border border-slate-200 bg-white">
        {Array.from({ length: 12 }, (_, i) => (
          <div key={i} className="h-10 border-b border-slate-100" />
        ))}
      </div>
    </div>
  )
}
