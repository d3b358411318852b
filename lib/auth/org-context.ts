import { can, type Permission, type Role } from '@/lib/auth/permissions'
import { ForbiddenError } from '@/lib/errors'

// Who acts, in which organization, allowed to do what: the first parameter of every domain function. No Next.js or
// Auth.js here, so jobs can build and use contexts too (lib/auth/session.ts makes the signed-in person's).

export type Org = { id: string; slug: string; name: string }

/** A signed-in person; the label is their e-mail. */
export type UserActor = { type: 'user'; id: string; label: string }
/** An API token acting for the organization; the label is the token's name. */
export type TokenActor = { type: 'api_token'; id: string; label: string }
/** A workload that exchanged its own credential for a token; the label names the workload. */
export type WorkloadActor = { type: 'workload'; id: string; label: string }
/** What the system is doing: a job (its type and id), or a scheduler or rule (its name, no id). */
export type SystemJob = { type: string; id: string | null }
/** Custodian itself, doing a job: never a person, never a role. */
export type SystemActor = { type: 'system'; id: null; label: string; job: SystemJob }
export type Actor = UserActor | TokenActor | WorkloadActor | SystemActor
/** What an audit row keeps of an actor (and what a job's payload may carry). */
export type ActorRef = { type: Actor['type']; id: string | null; label: string }

/** A member signed in: the role comes from their membership, read from the database on every request. */
export type UserCtx = { org: Org; actor: UserActor; user: { id: string; name: string; email: string }; role: Role }
/** Anyone but a member acts with the permissions it was given (a token's scopes, what a job needs), never with a role. */
export type GrantedCtx<A extends TokenActor | WorkloadActor | SystemActor> = { org: Org; actor: A; permissions: ReadonlySet<Permission>; requestId?: string }
export type SystemCtx = GrantedCtx<SystemActor>
export type Ctx = UserCtx | GrantedCtx<TokenActor> | GrantedCtx<WorkloadActor> | SystemCtx
/**
 * An API token with a person of record: the member who created it. The token stays the actor (audit rows name it, and
 * its scopes are the permissions); the person is whom the change is recorded against where the domain keeps a person
 * (a campaign's creator, an export's requester, a decision's reviewer), and audit rows name them as `onBehalfOf`.
 */
export type TokenPersonCtx = GrantedCtx<TokenActor> & { user: { id: string; name: string; email: string }; personRole: Role }
/** Who a change is recorded against: the signed-in member, or an API token's creator. */
export type PersonCtx = UserCtx | TokenPersonCtx

export function allows(ctx: Ctx, permission: Permission): boolean {
  return 'role' in ctx ? can(ctx.role, permission) : ctx.permissions.has(permission)
}

export function assertCan(ctx: Ctx, permission: Permission): void {
  if (!allows(ctx, permission)) throw new ForbiddenError()
}

/** The system actor of a piece of work; its audit label names the job type and id. */
export function systemActor(job: SystemJob): SystemActor {
  return { type: 'system', id: null, label: (job.id ? `${job.type} ${job.id}` : job.type).slice(0, 120), job }
}

/**
 * The one way the system gets a context: jobs, schedulers and campaign rules run as `{ type: 'system', job }` with
 * only the permissions their work needs, instead of borrowing a person or a role.
 */
export function systemContext(org: Org, job: SystemJob, permissions: readonly Permission[] = []): SystemCtx {
  return { org, actor: systemActor(job), permissions: new Set(permissions) }
}
