import { revokeEndpoint } from '@/lib/federation/endpoints'

export const POST = revokeEndpoint
