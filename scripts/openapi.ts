// Writes the /api/v1 OpenAPI document to a file (for `redocly lint` in npm test, and for clients that want it offline).
import { writeFileSync } from 'node:fs'
import { openApiDocument } from '@/lib/api/openapi'

const out = process.argv[2] ?? '.tmp/openapi.json'
writeFileSync(out, JSON.stringify(openApiDocument(), null, 2))
console.log(`openapi: wrote ${out}`)
