// Where a scheduled e-mail's link points: the report downloads (route handlers under /api/orgs/[org]/reports/, which
// check the session, the organization and report:export themselves, and audit the download).

export function inventoryReportPath(orgSlug: string): string {
  return `/api/orgs/${encodeURIComponent(orgSlug)}/reports/inventory`
}

/** A prepared report's file (an evidence pack the worker made for a schedule): /api/orgs/[org]/reports/exports/[id]. */
export function exportDownloadPath(orgSlug: string, exportId: string): string {
  return `/api/orgs/${encodeURIComponent(orgSlug)}/reports/exports/${encodeURIComponent(exportId)}`
}

/** The UTC period a weekly or monthly schedule is due for at `now`, and when that period began. */
export function periodOf(cadence: 'weekly' | 'monthly', now: Date): { period: string; start: Date } {
  if (cadence === 'monthly') {
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
    return { period: start.toISOString().slice(0, 7), start }
  }
  const day = (now.getUTCDay() + 6) % 7 // Monday = 0
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - day))
  return { period: `week-of-${start.toISOString().slice(0, 10)}`, start }
}
