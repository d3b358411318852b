'use server'
import { AuthError } from 'next-auth'
import { redirect } from 'next/navigation'
import { signIn, signOut } from '@/lib/auth/config'
import { callbackUrlSchema, demoEmailSchema } from '@/lib/auth/schemas'
import { env } from '@/lib/env'

export async function signInDemoAction(formData: FormData) {
  // Demo sign-in exists only in demo mode; the provider is not even registered otherwise.
  if (!env().demo) redirect('/sign-in?error=DemoDisabled')
  const email = demoEmailSchema.safeParse(formData.get('email'))
  const redirectTo = callbackUrlSchema.parse(formData.get('callbackUrl') ?? undefined)
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
  const redirectTo = callbackUrlSchema.parse(formData.get('callbackUrl') ?? undefined)
  await signIn('oidc', { redirectTo })
}

export async function signOutAction() {
  await signOut({ redirectTo: '/sign-in' })
}
