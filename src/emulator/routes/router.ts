import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientCounters, statsSnapshot } from '../emulator-stats.js';
import { clientIp, sendJson } from '../http-io.js';
import { handleBulkCreate } from './bulk-create.js';
import type { RouteContext } from './route-context.js';
import { handleDeleteUser, handleGetUser, handleListUsers } from './user-routes.js';

/** Mirrors the real base URL `https://app.dynamicauth.com/api/v0`. */
export const API_PREFIX = '/api/v0';

const BULK = /^\/environments\/([^/]+)\/users\/bulk\/?$/;
const USERS = /^\/environments\/([^/]+)\/users\/?$/;
const USER = /^\/environments\/([^/]+)\/users\/([^/]+)\/?$/;
const STATS = /^(?:\/api\/v0)?\/__emulator\/stats\/?$/;

/** Routes one request; anything unknown is a JSON 404. */
export async function route(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.counters.requests++;
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const method = req.method ?? 'GET';
  if (method === 'GET' && STATS.test(url.pathname)) {
    return sendJson(res, 200, statsSnapshot(ctx.counters, ctx.store.size));
  }
  const path = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : undefined;
  let m: RegExpExecArray | null;
  if (path?.startsWith('/environments/')) clientCounters(ctx.counters, clientIp(req)).requests++;
  if (path !== undefined) {
    if (method === 'POST' && (m = BULK.exec(path))) return handleBulkCreate(ctx, req, res, decode(m[1]), url);
    if (method === 'GET' && (m = USERS.exec(path))) return handleListUsers(ctx, req, res, decode(m[1]), url);
    if (method === 'GET' && (m = USER.exec(path))) return handleGetUser(ctx, req, res, decode(m[1]), decode(m[2]));
    if (method === 'DELETE' && (m = USER.exec(path))) return handleDeleteUser(ctx, req, res, decode(m[1]), decode(m[2]));
  }
  req.resume();
  sendJson(res, 404, { error: `No route for ${method} ${url.pathname}`, code: 'not_found' });
}

function decode(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return segment ?? '';
  }
}
