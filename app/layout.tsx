import '@fontsource-variable/inter'
import './globals.css'
import type { Metadata } from 'next'
import { connection } from 'next/server'

export const metadata: Metadata = {
  title: { default: 'Custodian', template: '%s · Custodian' },
  description: 'Govern non-human identities: inventory, ownership, access reviews, remediation and audit evidence.',
  // Static files live in public/ (served as they are, outside the proxy's sign-in redirect).
  icons: { icon: '/icon.svg' },
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page carries its request's CSP nonce (proxy.ts), so none may be prerendered without one.
  await connection()
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  )
}
