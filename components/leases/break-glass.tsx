'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Input, Textarea } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { useOrgAction } from '@/components/ui/use-org-action'
import { breakGlassLeaseAction } from '@/lib/leases/actions'
import { formatTtl } from './tones'

type Template = { id: string; name: string; defaultTtlSeconds: number; maxTtlSeconds: number }
type Issued = { username: string; password: string; host: string | null; database: string | null; expiresAt: string; ttlSeconds: number }

/** Break-glass: a person asks for an ephemeral database credential for an identity, with a reason; the password is shown once. */
export function BreakGlassLease({ orgSlug, identity, templates }: { orgSlug: string; identity: { id: string; name: string }; templates: Template[] }) {
  const router = useRouter()
  const [open, setOpen] = useState(false)
  const [templateId, setTemplateId] = useState(templates[0]?.id ?? '')
  const [minutes, setMinutes] = useState('')
  const [justification, setJustification] = useState('')
  const [issued, setIssued] = useState<Issued | null>(null)
  const request = useOrgAction(breakGlassLeaseAction, { onSuccess: (l) => setIssued(l), refresh: false })
  const template = templates.find((t) => t.id === templateId)
  const close = () => {
    setOpen(false)
    if (issued) router.refresh()
    setIssued(null)
    setJustification('')
    request.reset()
  }
  return (
    <>
      <Button size="sm" variant="secondary" onClick={() => setOpen(true)} data-testid="lease-request">
        Request a credential
      </Button>
      <Dialog
        open={open}
        onClose={close}
        busy={request.pending}
        title={issued ? 'Credential issued' : 'Request a database credential (break-glass)'}
        testId="lease-request-dialog"
        onSubmit={
          issued
            ? close
            : () =>
                void request.run({
                  orgSlug,
                  templateId,
                  identityId: identity.id,
                  justification,
                  ...(minutes ? { ttlSeconds: Number(minutes) * 60 } : {}),
                })
        }
        confirm={issued ? undefined : { label: request.pending ? 'Issuing…' : 'Issue credential', disabled: request.pending, testId: 'lease-request-confirm' }}
        footer={
          issued ? (
            <Button type="button" onClick={close}>
              Done
            </Button>
          ) : undefined
        }
      >
        {issued ? (
          <div className="space-y-2 text-sm" data-testid="lease-issued">
            <p className="font-medium text-slate-900">Copy the password now: Custodian does not keep it and cannot show it again.</p>
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
              <dt className="text-slate-500">User</dt>
              <dd>
                <code className="font-mono text-xs select-all" data-testid="lease-username">
                  {issued.username}
                </code>
              </dd>
              <dt className="text-slate-500">Password</dt>
              <dd>
                <code className="block rounded-md bg-slate-100 px-2 py-1 font-mono text-xs break-all select-all" data-testid="lease-password">
                  {issued.password}
                </code>
              </dd>
              {issued.host ? (
                <>
                  <dt className="text-slate-500">Server</dt>
                  <dd className="font-mono text-xs">
                    {issued.host}/{issued.database}
                  </dd>
                </>
              ) : null}
              <dt className="text-slate-500">Valid for</dt>
              <dd data-testid="lease-ttl">
                {formatTtl(issued.ttlSeconds)} (until {new Date(issued.expiresAt).toLocaleString()})
              </dd>
            </dl>
          </div>
        ) : (
          <>
            <p className="text-sm text-slate-700">
              A temporary PostgreSQL role for <span className="font-medium">{identity.name}</span>, with the template’s grants only. Your reason is recorded in
              the audit log.
            </p>
            <Field label="Template" error={request.fieldErrors.templateId}>
              <Select
                value={templateId}
                onChange={(e) => setTemplateId(e.target.value)}
                options={templates.map((t) => ({ value: t.id, label: t.name }))}
                name="templateId"
              />
            </Field>
            <Field
              label="Minutes"
              hint={template ? `Default ${formatTtl(template.defaultTtlSeconds)}, at most ${formatTtl(template.maxTtlSeconds)}.` : undefined}
              error={request.fieldErrors.ttlSeconds}
            >
              <Input value={minutes} onChange={(e) => setMinutes(e.target.value.replace(/\D/g, ''))} inputMode="numeric" className="max-w-32" name="minutes" />
            </Field>
            <Field label="Justification" hint="Why is this access needed now? (incident, ticket…)" error={request.fieldErrors.justification}>
              <Textarea
                value={justification}
                onChange={(e) => setJustification(e.target.value)}
                rows={3}
                name="justification"
                data-testid="lease-justification"
              />
            </Field>
            <FormError>{Object.keys(request.fieldErrors).length ? null : request.error}</FormError>
          </>
        )}
      </Dialog>
    </>
  )
}
