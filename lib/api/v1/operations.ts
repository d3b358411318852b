import 'server-only'
import type { Operation } from '@/lib/api/operation'
import { listAuditEventsOp } from '@/lib/api/v1/audit'
import { listFindingsOp } from '@/lib/api/v1/findings'
import { createIdentityOp, deleteIdentityOp, getIdentityOp, listIdentitiesOp, updateIdentityOp } from '@/lib/api/v1/identities'

/** Every operation of /api/v1: the OpenAPI document and the contract tests enumerate this list. */
export const OPERATIONS = [
  listIdentitiesOp,
  getIdentityOp,
  createIdentityOp,
  updateIdentityOp,
  deleteIdentityOp,
  listFindingsOp,
  listAuditEventsOp,
] as unknown as Operation[]
