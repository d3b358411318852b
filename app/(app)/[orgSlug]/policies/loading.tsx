export default function Loading() {
  return (
    <div className="animate-pulse" aria-busy="true" aria-label="Loading policies">
      <div className="mb-5 h-7 w-48 rounded bg-slate-200" />
      <div className="grid gap-5 lg:grid-cols-3">
        <div className="h-96 rounded-lg border border-slate-200 bg-white lg:col-span-2" />
        <div className="h-96 rounded-lg border border-slate-200 bg-white" />
      </div>
    </div>
  )
}
