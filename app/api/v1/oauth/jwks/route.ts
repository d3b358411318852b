import { jwksEndpoint } from '@/lib/federation/endpoints'

export const GET = jwksEndpoint
