import Link from 'next/link'

export function Forbidden({ orgSlug, what }: { orgSlug: string; what: string }) {
  return (
    <div className="mx-auto mt-16 max-w-md rounded-lg border border-amber-200 bg-amber-50 p-6 text-center" data-testid="forbidden">
      <p className="text-sm font-semibold text-amber-900">You don&apos;t have access to {what}</p>
      <p className="mt-1 text-sm text-amber-800">Your role in this organization does not allow it. Ask an admin if you need it.</p>
      <Link href={`/${orgSlug}`} className="mt-4 inline-block text-sm font-medium text-indigo-700 hover:underline">
        Back to overview
      </Link>
    </div>
  )
}
