'use client'

export default function OrgError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto mt-16 max-w-md rounded-lg border border-rose-200 bg-white p-6 text-center shadow-sm">
      <h2 className="text-base font-semibold text-slate-900">This page could not be loaded</h2>
      <p className="mt-2 text-sm text-slate-600">
        Nothing was changed. Try again; if it keeps failing, give your admin this reference: <code>{error.digest ?? 'n/a'}</code>
      </p>
      <button onClick={reset} className="mt-4 rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
        Try again
      </button>
    </div>
  )
}
