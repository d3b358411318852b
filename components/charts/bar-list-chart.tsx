'use client'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { Bar, BarChart, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

export type BarDatum = { label: string; value: number; href: string; color?: string }

const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n)

/** Horizontal bars; a click on a bar (or its row in the list below, for keyboards) opens the bar's link. */
export function BarListChart({ data, name, color = '#6366f1', testId }: { data: BarDatum[]; name: string; color?: string; testId?: string }) {
  const router = useRouter()
  if (data.length === 0) return <p className="py-6 text-center text-sm text-slate-500">Nothing to show yet.</p>
  const height = Math.max(120, data.length * 30 + 16)
  return (
    <div data-testid={testId}>
      <div style={{ height }} role="img" aria-label={`${name}: ${data.map((d) => `${d.label} ${fmt(d.value)}`).join(', ')}`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} layout="vertical" margin={{ top: 4, right: 36, bottom: 4, left: 4 }}>
            <XAxis type="number" hide />
            <YAxis type="category" dataKey="label" width={150} tickLine={false} axisLine={false} tick={{ fontSize: 12, fill: '#475569' }} interval={0} />
            <Tooltip cursor={{ fill: '#f1f5f9' }} formatter={(v) => [fmt(Number(v)), 'identities']} />
            <Bar
              dataKey="value"
              radius={[0, 4, 4, 0]}
              isAnimationActive={false}
              label={{ position: 'right', fontSize: 11, fill: '#334155', formatter: (v: unknown) => fmt(Number(v)) }}
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
            <Link href={d.href}>{`${d.label}: ${fmt(d.value)}`}</Link>
          </li>
        ))}
      </ul>
    </div>
  )
}
