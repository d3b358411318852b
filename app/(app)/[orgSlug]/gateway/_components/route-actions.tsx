'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { ActionDialog, useDialogAction } from '@/components/ui/action-dialog'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { StatusToggle } from '@/components/ui/status-toggle'
import { deleteRouteAction, updateRouteAction } from '@/lib/gateway/actions'
import { RouteForm, type RouteFormValues } from './route-form'

/** The settings card: read-only values, or the same form as a new route when editing. */
export function RouteSettings({
  orgSlug,
  routeId,
  values,
  manage,
  children,
}: {
  orgSlug: string
  routeId: string
  values: RouteFormValues
  manage: boolean
  children: React.ReactNode
}) {
  const [editing, setEditing] = useState(false)
  return (
    <Card
      title="Settings"
      action={
        manage && !editing ? (
          <Button size="sm" variant="secondary" onClick={() => setEditing(true)} data-testid="edit-route">
            Edit
          </Button>
        ) : null
      }
    >
      {editing ? <RouteForm orgSlug={orgSlug} routeId={routeId} initial={values} onDone={() => setEditing(false)} /> : children}
    </Card>
  )
}

/** Disable (every call refused at the gateway) or enable a route, and delete it with its rules and grants. */
export function RouteStatusActions({ orgSlug, routeId, name, status }: { orgSlug: string; routeId: string; name: string; status: string }) {
  const router = useRouter()
  const remove = useDialogAction(deleteRouteAction, { onSuccess: () => router.push(`/${orgSlug}/gateway`), refresh: false })
  return (
    <div className="flex items-center gap-2">
      <StatusToggle action={updateRouteAction} input={(next) => ({ orgSlug, routeId, status: next })} status={status} noun="route" testId="toggle-route" />
      <ActionDialog
        action={remove}
        trigger={{ label: 'Delete', variant: 'danger', testId: 'delete-route' }}
        title={`Delete “${name}”?`}
        onSubmit={() => void remove.run({ orgSlug, routeId })}
        confirm={{ label: 'Delete route', pending: 'Deleting…', variant: 'danger', testId: 'delete-route-confirm' }}
      >
        <p className="text-sm text-slate-700">
          Its rules, their grants and its recorded calls are deleted too, and every call to it is refused at once. To stop calls but keep the route, disable it
          instead.
        </p>
      </ActionDialog>
    </div>
  )
}
