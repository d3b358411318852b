import Link from 'next/link'
import type { UserCtx } from '@/lib/auth/org-context'
import { countUnread } from '@/lib/notifications/queries'

/** Header bell with the unread count; links to the inbox. */
export async function InboxBell({ ctx }: { ctx: UserCtx }) {
  const unread = await countUnread(ctx)
  const label = unread ? `Inbox, ${unread} unread` : 'Inbox'
  return (
    <Link
      href={`/${ctx.org.slug}/inbox`}
      aria-label={label}
      title={label}
      className="relative rounded-md p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-800 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
      data-testid="inbox-bell"
    >
      <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {unread ? (
        <span
          className="absolute -top-0.5 -right-0.5 flex min-w-4 items-center justify-center rounded-full bg-rose-600 px-1 text-[10px] leading-4 font-semibold text-white tabular-nums"
          data-testid="inbox-unread-count"
        >
          {unread > 99 ? '99+' : unread}
        </span>
      ) : null}
    </Link>
  )
}
