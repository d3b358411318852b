import { z } from 'zod'

/** Where to go after signing in: a path of this site only, never another origin (`//host` is one). */
export const callbackUrlSchema = z
  .string()
  .optional()
  .transform((v) => (v && v.startsWith('/') && !v.startsWith('//') ? v : '/'))
  .catch('/')

export const demoEmailSchema = z.string().email()
