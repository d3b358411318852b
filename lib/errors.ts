export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}
export class NotFoundError extends AppError {
  constructor(what = 'Not found') {
    super(what, 404, 'not_found')
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to do this.') {
    super(message, 403, 'forbidden')
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'Sign in to continue.') {
    super(message, 401, 'unauthorized')
  }
}
export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, 409, 'conflict')
  }
}
export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(message, 400, 'validation')
  }
}

/** A system Custodian acts on (a database source) refused or could not be reached: the message says what it answered. */
export class UpstreamError extends AppError {
  constructor(message: string) {
    super(message, 502, 'upstream')
  }
}

/**
 * A reference to something outside the organization (a person who is not a member, another tenant's team): a
 * field error for the form like any validation error, and a refused attempt for the audit log, since the form
 * never offers such ids.
 */
export class ForeignReferenceError extends ValidationError {}

/** Maps Prisma's known errors at the domain boundary. */
export function mapPrismaError(err: unknown): unknown {
  const code = (err as { code?: string })?.code
  if (code === 'P2002') return new ConflictError('That already exists.')
  if (code === 'P2025') return new NotFoundError()
  return err
}
