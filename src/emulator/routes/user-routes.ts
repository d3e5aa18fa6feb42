import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAccess } from '../access-check.js';
import { clientIp, sendJson } from '../http-io.js';
import { checkRateLimits, sendRateLimited } from './check-rate-limits.js';
import { isFilterColumn, FILTER_COLUMNS } from '../user-filter.js';
import type { RouteContext } from './route-context.js';

const MAX_PAGE = 100;

/** Parses a non-negative integer query parameter; undefined when absent, null when invalid. */
function intParam(url: URL, name: string): number | undefined | null {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : null;
}

/** `GET /environments/:id/users`: `{ count, users }`, in creation order; limit at most 100. */
export function handleListUsers(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, environmentId: string, url: URL): void {
  const refused = checkAccess(req, environmentId, ctx.access);
  if (refused) return sendJson(res, refused.status, refused.body);
  const limited = checkRateLimits(ctx, clientIp(req), environmentId, 'developer');
  if (limited) return sendRateLimited(res, limited);
  const offset = intParam(url, 'offset');
  const limit = intParam(url, 'limit');
  if (offset === null || limit === null) {
    return sendJson(res, 400, { error: 'offset and limit must be non-negative integers', code: 'bad_request' });
  }
  const column = url.searchParams.get('filter[filterColumn]');
  const value = url.searchParams.get('filter[filterValue]');
  if (column !== null && !isFilterColumn(column)) {
    return sendJson(res, 400, { error: `filterColumn must be one of ${FILTER_COLUMNS.join(', ')}`, code: 'bad_request' });
  }
  const filter = column !== null && value !== null ? { column, value } : undefined;
  const page = ctx.store.list(environmentId, { offset: offset ?? 0, limit: Math.min(limit ?? MAX_PAGE, MAX_PAGE), filter });
  sendJson(res, 200, page);
}

/** `GET /environments/:id/users/:userId`: `{ user }` or 404. */
export function handleGetUser(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, environmentId: string, userId: string): void {
  const refused = checkAccess(req, environmentId, ctx.access);
  if (refused) return sendJson(res, refused.status, refused.body);
  const limited = checkRateLimits(ctx, clientIp(req), environmentId, 'developer');
  if (limited) return sendRateLimited(res, limited);
  const user = ctx.store.get(environmentId, userId);
  if (!user) return sendJson(res, 404, { error: 'User not found', code: 'not_found' });
  sendJson(res, 200, { user });
}

/** `DELETE /environments/:id/users/:userId`: `{}` or 404; saved before answering. */
export async function handleDeleteUser(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  environmentId: string,
  userId: string,
): Promise<void> {
  const refused = checkAccess(req, environmentId, ctx.access);
  if (refused) return sendJson(res, refused.status, refused.body);
  const limited = checkRateLimits(ctx, clientIp(req), environmentId, 'developer');
  if (limited) return sendRateLimited(res, limited);
  if (!ctx.store.delete(environmentId, userId)) return sendJson(res, 404, { error: 'User not found', code: 'not_found' });
  await ctx.save();
  sendJson(res, 200, {});
}
