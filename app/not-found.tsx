import Link from 'next/link'

export default function NotFound() {
  return (
    <main className="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-6 text-center shadow-sm" data-testid="not-found">
      <p className="text-sm font-semibold text-indigo-600">404</p>
      <h1 className="mt-1 text-lg font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-slate-600">It does not exist, or you do not have access to it.</p>
      <Link href="/" className="mt-4 inline-block text-sm font-medium text-indigo-700 hover:underline">
        Go home
      </Link>
    </main>
  )
}
