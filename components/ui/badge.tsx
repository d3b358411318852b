const TONES = {
  gray: 'bg-slate-100 text-slate-700 ring-slate-200',
  red: 'bg-rose-50 text-rose-700 ring-rose-200',
  amber: 'bg-amber-50 text-amber-800 ring-amber-200',
  green: 'bg-emerald-50 text-emerald-700 ring-emerald-200',
  blue: 'bg-sky-50 text-sky-700 ring-sky-200',
  indigo: 'bg-indigo-50 text-indigo-700 ring-indigo-200',
  violet: 'bg-violet-50 text-violet-700 ring-violet-200',
} as const
export type BadgeTone = keyof typeof TONES

export function Badge({ tone = 'gray', children, title }: { tone?: BadgeTone; children: React.ReactNode; title?: string }) {
  return (
    <span title={title} className={`inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}>
      {children}
    </span>
  )
}

/** The red "privileged" mark after an identity's or grant's name; nothing when it is not privileged. */
export function PrivilegedBadge({ privileged, className }: { privileged: boolean; className: string }) {
  if (!privileged) return null
  return (
    <span className={className}>
      <Badge tone="red">privileged</Badge>
    </span>
  )
}
