import Link from 'next/link'
import { flattenParams } from '@/lib/inventory/view-params'

/** Quick views of the inventory by ownership; they keep the other filters. */
export function OwnerTabs({
  orgSlug,
  current,
  searchParams,
}: {
  orgSlug: string
  current: string | undefined
  searchParams: Record<string, string | string[] | undefined>
}) {
  const tabs = [
    { value: undefined, label: 'All', title: undefined },
    { value: 'unowned', label: 'Unowned', title: 'Identities without an owner' },
    { value: 'me', label: 'Mine', title: 'Identities you own or back up' },
  ]
  const href = (owner: string | undefined) => {
    const sp = new URLSearchParams()
    for (const [k, v] of Object.entries(flattenParams(searchParams))) {
      if (k === 'owner' || k === 'page') continue
      sp.set(k, v)
    }
    if (owner) sp.set('owner', owner)
    const q = sp.toString()
    return `/${orgSlug}/identities${q ? `?${q}` : ''}`
  }
  return (
    <nav aria-label="Ownership views" className="inline-flex rounded-md bg-slate-100 p-0.5 text-sm">
      {tabs.map((t) => {
        const active = t.value === undefined ? !current : current === t.value
        return (
          <Link
            key={t.label}
            href={href(t.value)}
            aria-current={active ? 'page' : undefined}
            title={t.title}
            className={`rounded px-3 py-1 font-medium ${active ? 'bg-white text-slate-900 shadow-xs' : 'text-slate-600 hover:text-slate-900'}`}
          >
            {t.label}
          </Link>
        )
      })}
    </nav>
  )
}
