'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Field, FormError, Input } from '@/components/ui/field'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { createProviderAction } from '@/lib/federation/actions'
import { GITHUB_ISSUER, type Preset } from '@/lib/federation/schemas'

const PRESET_CARDS: { value: Preset; title: string; text: string }[] = [
  { value: 'github', title: 'GitHub Actions', text: 'Workflows prove their repository, branch and environment with the job’s OIDC token.' },
  { value: 'kubernetes', title: 'Kubernetes', text: 'Pods prove their namespace and service account with a projected service-account token.' },
  {
    value: 'generic',
    title: 'Other OpenID Connect issuer',
    text: 'GitLab CI, a cloud’s workload identity, your own issuer: anything that signs JWTs and serves a JWKS.',
  },
]

const splitList = (s: string) =>
  s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean)

/** Register a trust provider: pick a preset, then the issuer and the audiences its tokens must carry. */
export function ProviderForm({ orgSlug, recommendedAudience }: { orgSlug: string; recommendedAudience: string }) {
  const router = useRouter()
  const [preset, setPreset] = useState<Preset>('github')
  const [name, setName] = useState('GitHub Actions')
  const [issuer, setIssuer] = useState(GITHUB_ISSUER)
  const [jwksUri, setJwksUri] = useState('')
  const [audiences, setAudiences] = useState(recommendedAudience)
  const create = useOrgAction(createProviderAction, { onSuccess: (r) => router.push(`/${orgSlug}/federation/${r.id}`), refresh: false })
  const fe = create.fieldErrors
  const choose = (p: Preset) => {
    setPreset(p)
    setName(PRESET_CARDS.find((c) => c.value === p)!.title)
    setIssuer(p === 'github' ? GITHUB_ISSUER : '')
  }
  const submit = () => void create.run({ orgSlug, preset, name, issuer, jwksUri: jwksUri.trim() || null, audiences: splitList(audiences), status: 'active' })
  return (
    <form onSubmit={submitted(submit)} className="space-y-5" data-testid="provider-form" noValidate>
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Where the workloads run</legend>
        <div className="mt-2 grid gap-3 sm:grid-cols-3" role="radiogroup">
          {PRESET_CARDS.map((c) => (
            <label
              key={c.value}
              className={`flex cursor-pointer flex-col gap-1 rounded-md border p-3 text-sm has-focus-visible:ring-2 has-focus-visible:ring-indigo-500 ${
                preset === c.value ? 'border-indigo-500 bg-indigo-50' : 'border-slate-200 hover:border-slate-300'
              }`}
            >
              <span className="flex items-center gap-2 font-medium text-slate-900">
                <input
                  type="radio"
                  name="preset"
                  value={c.value}
                  checked={preset === c.value}
                  onChange={() => choose(c.value)}
                  className="size-4 accent-indigo-600"
                  data-testid={`preset-${c.value}`}
                />
                {c.title}
              </span>
              <span className="text-xs text-slate-600">{c.text}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" error={fe.name}>
          <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} name="name" autoComplete="off" />
        </Field>
        <Field
          label="Issuer"
          hint={
            preset === 'github'
              ? 'GitHub’s issuer, fixed.'
              : preset === 'kubernetes'
                ? 'The cluster’s service-account issuer (kubectl get --raw /.well-known/openid-configuration → issuer).'
                : 'Exactly the token’s iss claim, trailing slash included if it has one.'
          }
          error={fe.issuer}
        >
          <Input
            value={issuer}
            onChange={(e) => setIssuer(e.target.value)}
            readOnly={preset === 'github'}
            placeholder="https://issuer.example.com"
            className="font-mono"
            name="issuer"
          />
        </Field>
        <Field
          label="Audiences"
          hint="The aud a token must carry (comma-separated). Each names your organization at this issuer: no other organization can use it."
          error={fe.audiences}
        >
          <Input value={audiences} onChange={(e) => setAudiences(e.target.value)} className="font-mono" name="audiences" />
        </Field>
        {preset !== 'github' ? (
          <Field label="JWKS URL (optional)" hint="Left empty: found through the issuer’s /.well-known/openid-configuration." error={fe.jwksUri}>
            <Input
              value={jwksUri}
              onChange={(e) => setJwksUri(e.target.value)}
              placeholder="https://issuer.example.com/keys"
              className="font-mono"
              name="jwksUri"
            />
          </Field>
        ) : null}
      </div>
      {preset === 'github' ? (
        <p className="rounded-md bg-slate-50 p-3 text-xs text-slate-600">
          In the workflow: <code className="font-mono">permissions: id-token: write</code>, then ask for a token with this audience (
          <code className="font-mono">core.getIDToken(&apos;{splitList(audiences)[0] ?? recommendedAudience}&apos;)</code>) and exchange it at{' '}
          <code className="font-mono">POST /api/v1/oauth/token</code>.
        </p>
      ) : null}
      <FormError>{Object.keys(fe).length ? null : create.error}</FormError>
      <Button type="submit" disabled={create.pending} data-testid="provider-save">
        {create.pending ? 'Saving…' : 'Add provider'}
      </Button>
    </form>
  )
}
