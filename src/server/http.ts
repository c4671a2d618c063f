/** HTTP failures every route shares: an error carrying the API's answer, and zod parsing that names the bad field. */
import { z } from 'zod';
import { describeIssues } from '../domain/events.ts';
import type { ApiError } from '../domain/protocol.ts';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ApiError,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

export const fail = (statusCode: number, error: string, message: string, field?: string, headers?: Record<string, string>): never => {
  throw new HttpError(statusCode, { error, message, ...(field ? { field } : {}) }, headers);
};

/** Parses with a zod schema or fails with a 400 naming the first bad field. */
export function parse<S extends z.core.$ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = z.safeParse(schema, value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : where;
  return fail(400, 'invalid_request', `${where}: ${describeIssues(r.error)}`, field);
}
