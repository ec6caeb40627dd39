/**
 * The one error type of the service. Every layer throws `AppError`; the API's
 * error handler turns it into `application/problem+json`.
 */
export type ErrorCode =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'illegal_transition'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface FieldError {
  path: string;
  message: string;
}

const STATUS: Record<ErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  illegal_transition: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly httpStatus: number;
  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly errors: FieldError[] = [],
    options?: { cause?: unknown; httpStatus?: number },
  ) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.httpStatus = options?.httpStatus ?? STATUS[code];
  }
}

/** Any thrown value as an Error (graphile-worker's coerceError). */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

/** Turn zod issues into field errors with dotted paths. */
export function fieldErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: ReadonlyArray<string> }>,
  prefix = '',
): FieldError[] {
  const join = (parts: ReadonlyArray<PropertyKey>) => [prefix, ...parts.map(String)].filter(Boolean).join('.') || '(body)';
  return issues.flatMap((i) =>
    // An unknown field is named by its own path, so a client sees which key to drop.
    i.code === 'unrecognized_keys' && i.keys?.length
      ? i.keys.map((k) => ({ path: join([...i.path, k]), message: 'unknown field' }))
      : [{ path: join(i.path), message: i.message }],
  );
}
