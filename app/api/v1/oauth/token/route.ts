import { tokenEndpoint } from '@/lib/federation/endpoints'

export const POST = tokenEndpoint
