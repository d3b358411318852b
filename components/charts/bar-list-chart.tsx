'use client'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { Bar, BarChart, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { formatNumber } from '@/components/ui/format'

export type BarDatum = { label: string; value: number; href: string; color?: string }

/**
 * Horizontal bars; a click on a bar (or its row in the list below, for keyboards) opens the bar's link. With `limit`,
 * the first `limit` bars are drawn and the rest listed under "and N more {more}": nothing is dropped silently.
 */
export function BarListChart({
  data: all,
  name,
  color = '#6366f1',
  testId,
  limit,
  more = 'more',
}: {
  data: BarDatum[]
  name: string
  color?: string
  testId?: string
  limit?: number
  more?: string
}) {
  const router = useRouter()
  if (all.length === 0) return <p className="py-6 text-center text-sm text-slate-500">Nothing to show yet.</p>
  // "and 1 more" would take the room of the bar it hides.
  const data = limit && all.length > limit + 1 ? all.slice(0, limit) : all
  const rest = all.slice(data.length)
  const height = Math.max(120, data.length * 30 + 16)
  return (
    <div data-testid={testId}>
      <div style={{ height }} role="img" aria-label={`${name}: ${data.map((d) => `${d.label} ${formatNumber(d.value)}`).join(', ')}`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} layout="vertical" margin={{ top: 4, right: 36, bottom: 4, left: 4 }}>
            <XAxis type="number" hide />
            <YAxis type="category" dataKey="label" width={150} tickLine={false} axisLine={false} tick={{ fontSize: 12, fill: '#475569' }} interval={0} />
            <Tooltip cursor={{ fill: '#f1f5f9' }} formatter={(v) => [formatNumber(Number(v)), 'identities']} />
            <Bar
              dataKey="value"
              radius={[0, 4, 4, 0]}
              isAnimationActive={false}
              label={{ position: 'right', fontSize: 11, fill: '#334155', formatter: (v: unknown) => formatNumber(Number(v)) }}
              onClick={(_, index) => {
                const d = data[index]
                if (d) router.push(d.href)
              }}
            >
              {data.map((d) => (
                <Cell key={d.label} fill={d.color ?? color} cursor="pointer" />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <ul className="sr-only">
        {data.map((d) => (
          <li key={d.label}>
            <Link href={d.href}>{`${d.label}: ${formatNumber(d.value)}`}</Link>
          </li>
        ))}
      </ul>
      {rest.length ? (
        <details className="group mt-1 text-sm">
          <summary className="cursor-pointer rounded text-xs font-medium text-indigo-700 outline-none select-none hover:underline focus-visible:ring-2 focus-visible:ring-indigo-500">
            and {formatNumber(rest.length)} more {more} ({formatNumber(rest.reduce((n, d) => n + d.value, 0))})
          </summary>
          <ul className="mt-1 max-h-48 divide-y divide-slate-100 overflow-y-auto">
            {rest.map((d) => (
              <li key={d.label}>
                <Link
                  href={d.href}
                  aria-label={`${d.label}: ${formatNumber(d.value)}`}
                  className="flex justify-between gap-2 py-1 text-slate-700 hover:text-indigo-700"
                >
                  <span className="truncate">{d.label}</span>
                  <span className="tabular-nums text-slate-500">{formatNumber(d.value)}</span>
                </Link>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  )
}
