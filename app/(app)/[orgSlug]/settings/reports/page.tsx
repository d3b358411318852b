import type { Metadata } from 'next'
import Link from 'next/link'
import { listColumns, actionsColumn } from '@/components/data-table/list-columns'
import { ListTable } from '@/components/data-table/list-table'
import { paging } from '@/components/data-table/search-params'
import { Card } from '@/components/ui/card'
import { EmptyState } from '@/components/ui/empty-state'
import { Forbidden } from '@/components/ui/forbidden'
import { formatDate, formatDateTime } from '@/components/ui/format'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { listRecipientChoices, listReportSchedules } from '@/lib/report-schedules/queries'
import { DeleteSchedule } from './delete-schedule'
import { ScheduleForm } from './schedule-form'

export const metadata: Metadata = { title: 'Scheduled reports' }

const COLUMNS = listColumns({
  report: ['Report', 'font-medium'],
  recipients: ['E-mailed to', 'whitespace-normal'],
  since: 'Since',
  last: 'Last sent',
  actions: actionsColumn(),
})

export default async function ReportSchedulesPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'settings:manage', 'settings/reports'))) return <Forbidden orgSlug={ctx.org.slug} what="scheduled reports" />
  const [schedules, people] = await Promise.all([listReportSchedules(ctx), listRecipientChoices(ctx)])
  return (
    <div className="space-y-5">
      <PageHeader
        title="Scheduled reports"
        description={
          <>
            Reports e-mailed as a link to named people.{' '}
            <Link href={`/${ctx.org.slug}/settings`} className="text-indigo-700 underline hover:no-underline">
              Back to settings
            </Link>
          </>
        }
      />
      <Card title="Schedule a report">
        <ScheduleForm orgSlug={ctx.org.slug} people={people} />
      </Card>
      <ListTable
        ariaLabel="Scheduled reports"
        testId="report-schedules"
        toolbar={<h2 className="text-sm font-semibold text-slate-900">Schedules ({schedules.length})</h2>}
        columns={COLUMNS}
        {...paging({ page: 1, size: 100 }, schedules.length)}
        emptyState={<EmptyState title="No scheduled reports">Schedule the inventory snapshot or campaign evidence above.</EmptyState>}
        rows={schedules.map((s) => ({
          id: s.id,
          cells: {
            report: s.label,
            recipients: s.recipients.map((p) => (p.email ? `${p.name} (${p.email})` : p.name)).join(', '),
            since: formatDate(s.createdAt),
            last: s.lastSentAt ? formatDateTime(s.lastSentAt) : <span className="text-slate-500">not yet</span>,
            actions: <DeleteSchedule orgSlug={ctx.org.slug} scheduleId={s.id} label={s.label} />,
          },
        }))}
      />
    </div>
  )
}
