import nextVitals from 'eslint-config-next/core-web-vitals'
import nextTs from 'eslint-config-next/typescript'

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
]
export default config
