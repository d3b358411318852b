import '@fontsource-variable/inter'
import './globals.css'
import type { Metadata } from 'next'

export const metadata: Metadata = {
  title: { default: 'Custodian', template: '%s · Custodian' },
  description: 'Govern non-human identities: inventory, ownership, access reviews, remediation and audit evidence.',
}

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  )
}
