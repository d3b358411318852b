'use server'
import { AuthError } from 'next-auth'
import { redirect } from 'next/navigation'
import { z } from 'zod'
import { signIn } from '@/lib/auth/config'
import { env } from '@/lib/env'

const callbackSchema = z
  .string()
  .optional()
  .transform((v) => (v && v.startsWith('/') && !v.startsWith('//') ? v : '/'))
  .catch('/')

export async function signInDemoAction(formData: FormData) {
  // Demo sign-in exists only in demo mode; the provider is not even registered otherwise.
  if (!env().demo) redirect('/sign-in?error=DemoDisabled')
  const email = z.string().email().safeParse(formData.get('email'))
  const redirectTo = callbackSchema.parse(formData.get('callbackUrl') ?? undefined)
  if (!email.success) redirect('/sign-in?error=CredentialsSignin')
  try {
    await signIn('demo', { email: email.data, redirectTo })
  } catch (err) {
    if (err instanceof AuthError) redirect('/sign-in?error=CredentialsSignin')
    throw err
  }
}

export async function signInOidcAction(formData: FormData) {
  if (!env().oidc) redirect('/sign-in?error=Configuration')
  const redirectTo = callbackSchema.parse(formData.get('callbackUrl') ?? undefined)
  await signIn('oidc', { redirectTo })
}
