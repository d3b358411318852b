import { apiRoute } from '@/lib/api/route'
import { createCredentialTemplateOp, listCredentialTemplatesOp } from '@/lib/api/v1/leases'

export const GET = apiRoute(listCredentialTemplatesOp)
export const POST = apiRoute(createCredentialTemplateOp)
