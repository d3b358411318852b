'use client'
import { useRouter } from 'next/navigation'
import { useCallback, useEffect, useRef, useState, useTransition, type FormEvent } from 'react'
import type { ActionResult } from '@/lib/action'

export type FieldErrors = Record<string, string[]>

type Options<I, T> = {
  /** After a successful run, before the page is refreshed. */
  onSuccess?: (data: T, input: I) => void
  /** Re-read the server components: after a success (default), after any answer, or never. */
  refresh?: 'success' | 'always' | false
}

const NO_ERRORS: FieldErrors = {}

/**
 * The one way a client component calls a server action: `run(input)` while `pending`, then the action's `error`
 * and `fieldErrors` (cleared on the next run), the last answer (`result`), and a refresh of the page's server data.
 * `run` resolves to the action's result for callers that need it; `setError` shows a check made in the browser.
 */
export function useOrgAction<I, T>(action: (input: I) => Promise<ActionResult<T>>, options: Options<I, T> = {}) {
  const router = useRouter()
  const [pending, startTransition] = useTransition()
  const [result, setResult] = useState<ActionResult<T> | null>(null)
  const [localError, setLocalError] = useState<string | null>(null)
  const latest = useRef(options)
  useEffect(() => {
    latest.current = options
  })

  const run = useCallback(
    (input: I) =>
      new Promise<ActionResult<T>>((resolve) => {
        startTransition(async () => {
          setResult(null)
          setLocalError(null)
          const r = await action(input)
          const { onSuccess, refresh = 'success' } = latest.current
          if (r.ok) onSuccess?.(r.data, input)
          setResult(r)
          if (refresh === 'always' || (refresh === 'success' && r.ok)) router.refresh()
          resolve(r)
        })
      }),
    [action, router],
  )

  const reset = useCallback(() => {
    setResult(null)
    setLocalError(null)
  }, [])

  const failed = result && !result.ok ? result : null
  return {
    run,
    pending,
    result,
    error: localError ?? failed?.error ?? null,
    fieldErrors: failed?.fieldErrors ?? NO_ERRORS,
    setError: setLocalError,
    reset,
  }
}

/** The action's message followed by every field's messages, for places that show one line. */
export function errorText(error: string | null, fieldErrors: FieldErrors): string | null {
  const details = Object.values(fieldErrors).flat()
  return error || details.length ? [error, ...details].filter(Boolean).join(' ') : null
}

/** The fields' messages when the action named any, else its message. */
export function fieldsOrError(error: string | null, fieldErrors: FieldErrors): string | null {
  return Object.values(fieldErrors).flat().join(' ') || error
}

/** A form's onSubmit that stays on the page: `onSubmit={submitted(() => save.run(input))}`. */
export function submitted(fn: (form: HTMLFormElement) => unknown) {
  return (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    void fn(e.currentTarget)
  }
}
