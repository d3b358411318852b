export default function Loading() {
  return (
    <div className="animate-pulse" aria-busy="true" aria-label="Loading credentials">
      <div className="mb-5 h-7 w-48 rounded bg-slate-200" />
      <div className="rounded-lg border border-slate-200 bg-white">
        {Array.from({ length: 8 }, (_, i) => (
          <div key={i} className="h-10 border-b border-slate-100" />
        ))}
      </div>
    </div>
  )
}
