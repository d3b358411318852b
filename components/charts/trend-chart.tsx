'use client'
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { formatCompact, formatNumber } from '@/components/ui/format'

export type TrendSeries = { key: string; label: string; color: string }
export type TrendRow = { day: string } & Record<string, number | string | null>

/** Daily values over time; takes plain numbers per day. */
export function TrendChart({ rows, series, height = 260, percent = false }: { rows: TrendRow[]; series: TrendSeries[]; height?: number; percent?: boolean }) {
  if (rows.length < 2) return <p className="py-10 text-center text-sm text-slate-500">Trends appear after two daily snapshots.</p>
  return (
    <div style={{ height }} role="img" aria-label={`Trend of ${series.map((s) => s.label).join(', ')} from ${rows[0].day} to ${rows[rows.length - 1].day}`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="day" tick={{ fontSize: 11, fill: '#64748b' }} tickFormatter={(d: string) => d.slice(5)} minTickGap={24} />
          <YAxis
            tick={{ fontSize: 11, fill: '#64748b' }}
            tickFormatter={(v: number) => (percent ? `${v}%` : formatCompact(v))}
            width={52}
            domain={percent ? [0, 100] : ['auto', 'auto']}
          />
          <Tooltip formatter={(v) => (percent ? `${v}%` : formatNumber(Number(v)))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {series.map((s) => (
            <Line
              key={s.key}
              type="monotone"
              dataKey={s.key}
              name={s.label}
              stroke={s.color}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}
