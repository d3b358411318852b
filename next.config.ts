import type { NextConfig } from 'next'

const nextConfig: NextConfig = {
  // Parallel local test runs (several developers' sessions on one machine) build into separate folders.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  poweredByHeader: false,
  // Native and server-only packages stay out of the bundle.
  serverExternalPackages: [
    'better-sqlite3',
    'pg',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    'nodemailer',
    'pdfkit',
    'yazl',
    'pino',
    'prom-client',
    '@cedar-policy/cedar-wasm',
  ],
  typedRoutes: false,
  // Content-Security-Policy (with a per-request nonce) and HSTS are set per page by proxy.ts.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          // Nothing leaves for other sites (stricter than strict-origin-when-cross-origin); not no-referrer, with which
          // browsers send `Origin: null` on form posts and the server actions' origin check fails.
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ]
  },
}

export default nextConfig
