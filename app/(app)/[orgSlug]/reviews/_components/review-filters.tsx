'use client'
import { useUrlParams } from '@/components/data-table/use-url-params'
import { Select, type SelectOption } from '@/components/ui/select'
import { optionsOf } from '@/components/ui/format'
import { SearchBox } from '@/components/ui/search-box'
import { DECISION_LABELS } from '@/lib/campaigns/schemas'
import { PRIVILEGED_LABELS } from '@/lib/inventory/schemas'

// Option lists are data: other filters read alike but hold other values.
const STATES = [
  { value: 'open', label: 'Open' },
  { value: 'unsure', label: "Don't know" },
  { value: 'decided', label: 'Decided' },
  { value: 'all', label: 'All' },
]
const PRIVILEGED = optionsOf(PRIVILEGED_LABELS)
const RECOMMENDATIONS = (['revoke', 'reduce', 'keep'] as const).map((d) => ({ value: d, label: DECISION_LABELS[d] }))
const VIEWS = [
  { value: 'identity', label: 'Grouped by identity' },
  { value: 'flat', label: 'Flat (privileged first)' },
]

export function ReviewFilters({ campaigns, values }: { campaigns: SelectOption[]; values: Record<string, string> }) {
  const url = useUrlParams()
  const select = (k: string, label: string, options: SelectOption[], any?: string) => (
    <label className="flex items-center gap-1 text-sm text-slate-600">
      <span>{label}</span>
      <Select aria-label={label} value={values[k]} onChange={(e) => url.set({ [k]: e.target.value })} options={options} any={any} />
    </label>
  )
  return (
    <div className="mb-3 flex flex-wrap items-center gap-3" aria-busy={url.pending}>
      {select('campaign', 'Campaign', campaigns, 'All campaigns')}
      {select('state', 'State', STATES)}
      {select('privileged', 'Privileged', PRIVILEGED, 'Any')}
      {select('rec', 'Recommendation', RECOMMENDATIONS, 'Any')}
      {select('view', 'View', VIEWS)}
      <SearchBox label="Search identities" query={values.q} onSearch={(q) => url.set({ q })} placeholder="Identity name…" className="w-48" />
    </div>
  )
}
