'use client'
import { useState } from 'react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Field, FormError, Textarea } from '@/components/ui/field'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { testTokenAction } from '@/lib/federation/actions'

const RESULT_TONES = { matched: 'green', 'not-matched': 'gray', error: 'amber' } as const
const RESULT_LABELS = { matched: 'matches', 'not-matched': 'does not match', error: 'error' } as const

/**
 * "Test a token": paste a JWT (its signature and validity are checked and reported) or the claims as JSON; see which
 * rule matches and what the exchange would do. Nothing is stored or issued.
 */
export function TestToken({ orgSlug, providerId }: { orgSlug: string; providerId: string }) {
  const [text, setText] = useState('')
  const test = useOrgAction(testTokenAction, { refresh: false })
  const submit = () => {
    const t = text.trim()
    if (!t) return test.setError('Paste a token or its claims.')
    if (t.startsWith('{')) {
      let claims: unknown
      try {
        claims = JSON.parse(t)
      } catch (err) {
        return test.setError(`These claims are not valid JSON: ${(err as Error).message}`)
      }
      if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return test.setError('The claims must be one JSON object.')
      void test.run({ orgSlug, providerId, claims: claims as Record<string, unknown> })
    } else void test.run({ orgSlug, providerId, token: t })
  }
  const r = test.result?.ok ? test.result.data : null
  return (
    <form onSubmit={submitted(submit)} className="space-y-3" data-testid="test-token-form" noValidate>
      <Field
        label="A token, or its claims"
        hint="A JWT from the workload (e.g. GitHub’s ACTIONS_ID_TOKEN), or its payload as JSON. Nothing is stored or issued."
        error={test.fieldErrors.token ?? test.fieldErrors.claims}
      >
        <Textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={5}
          className="font-mono text-xs"
          spellCheck={false}
          placeholder={'eyJhbGciOi…   or   { "repository_id": "123456", "ref": "refs/heads/main", … }'}
          name="token"
          data-testid="test-token-input"
        />
      </Field>
      <FormError>{Object.keys(test.fieldErrors).length ? null : test.error}</FormError>
      <Button type="submit" variant="secondary" disabled={test.pending} data-testid="test-token-submit">
        {test.pending ? 'Testing…' : 'Test'}
      </Button>
      {r ? (
        <div className="space-y-3 rounded-md border border-slate-200 p-3 text-sm" data-testid="test-token-result" aria-live="polite">
          <p className="font-medium text-slate-900" data-testid="test-token-outcome">
            {r.outcome.kind === 'one-match'
              ? `The exchange would issue a token for ${r.rules.find((x) => x.id === (r.outcome as { ruleId: string }).ruleId)?.identity.name ?? 'the matched identity'}.`
              : r.outcome.kind === 'no-match'
                ? 'No rule matches: the exchange would refuse this token (no-rule).'
                : 'More than one rule matches: the exchange refuses ambiguous tokens (ambiguous-rules). Narrow the conditions.'}
          </p>
          {r.verification ? (
            <p className={r.verification.ok ? 'text-emerald-700' : 'text-amber-700'} data-testid="test-token-verification">
              {r.verification.ok ? 'Token verified: ' : 'Token not accepted as it is: '}
              {r.verification.detail}
            </p>
          ) : (
            <p className="text-slate-500">Claims only: signature and validity were not checked.</p>
          )}
          {r.rules.length === 0 ? (
            <p className="text-slate-500">This provider has no rules yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100" data-testid="test-token-rules">
              {r.rules.map((rule) => (
                <li key={rule.id} className="flex flex-wrap items-baseline justify-between gap-2 py-1.5" data-testid="test-token-rule">
                  <span>
                    <span className="font-medium text-slate-900">{rule.name}</span> <span className="text-slate-500">→ {rule.identity.name}</span>
                    {rule.error ? <span className="block text-xs text-amber-700">{rule.error}</span> : null}
                  </span>
                  <Badge tone={RESULT_TONES[rule.result]}>{RESULT_LABELS[rule.result]}</Badge>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </form>
  )
}
