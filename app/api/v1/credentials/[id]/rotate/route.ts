import { apiRoute } from '@/lib/api/route'
import { rotateCredentialOp } from '@/lib/api/v1/credentials'

export const POST = apiRoute(rotateCredentialOp)
