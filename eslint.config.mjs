import nextVitals from 'eslint-config-next/core-web-vitals'
import nextTs from 'eslint-config-next/typescript'

const CODE = ['**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}']
// Not app code: tests, benchmarks and tooling reach the database directly.
const NOT_APP = ['lib/**', 'tests/**', 'bench/**', 'scripts/**', 'e2e/**', 'prisma/**']
const THROUGH_LIB = 'Only lib/** talks to the database: call a function of lib/<domain> (queries.ts, mutations.ts), which scopes and audits.'
// Every 'use server' export is a public endpoint: they live in one kind of file, built with orgAction, where review and the authz matrix look.
const USE_SERVER = {
  selector: "ExpressionStatement[directive='use server']",
  message: "'use server' belongs in lib/<domain>/actions.ts only: move the action there (orgAction) and import it.",
}

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      '.next-*/**',
      'lib/generated/**',
      '.tmp/**',
      'test-results/**',
      'playwright-report/**',
      'next-env.d.ts',
      'data/**',
    ],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // SQL is built one way: the sql`…` builder of lib/sql, run through prismaSql() or the driver (lib/sql/*.ts).
    ignores: ['lib/sql/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['$queryRawUnsafe', '$executeRawUnsafe', '$queryRaw', '$executeRaw'].map((property) => ({
          property,
          message: 'Build the statement with sql`…` from lib/sql/sql.ts and run it with prismaSql() (lib/sql/prisma.ts): every value a bound parameter.',
        })),
      ],
    },
  },
  {
    files: CODE,
    ignores: ['lib/*/actions.ts'],
    rules: { 'no-restricted-syntax': ['error', USE_SERVER] },
  },
  {
    files: CODE,
    ignores: NOT_APP,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@/lib/db', '@/lib/generated/**', '@prisma/*', '@/lib/sql', '@/lib/sql/**'], message: THROUGH_LIB },
            { regex: '^(\\.{1,2}/)+(.*/)?lib/(db|generated|sql)(/.*)?$', message: THROUGH_LIB },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        USE_SERVER,
        { selector: 'ImportExpression[source.value=/^(@\\/|(\\.{1,2}\\/)+(.*\\/)?)lib\\/(db|generated|sql)(\\/|$)|^@prisma\\//]', message: THROUGH_LIB },
      ],
    },
  },
]
export default config
