import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAccess } from '../access-check.js';
import { clientCounters } from '../emulator-stats.js';
import { clientIp, readBody, sendJson } from '../http-io.js';
import { checkRateLimits, sendRateLimited } from './check-rate-limits.js';
import { parseBulkBody } from './bulk-body.js';
import type { RouteContext } from './route-context.js';

/**
 * `POST /environments/:environmentId/users/bulk[?upsert=true]`. Checks run in the API's order:
 * environment id, token, access, rate limits (per IP, then the environment's), injected faults,
 * body; then users are applied one by one and the state saved before answering (or, for a drop,
 * before destroying the socket).
 */
export async function handleBulkCreate(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  environmentId: string,
  url: URL,
): Promise<void> {
  const client = clientIp(req);
  ctx.counters.bulkRequests++;
  clientCounters(ctx.counters, client).bulkRequests++;
  if (url.searchParams.get('upsert') === 'true') ctx.counters.upsertRequests++;
  const text = await readBody(req);
  const refused = checkAccess(req, environmentId, ctx.access);
  if (refused) return sendJson(res, refused.status, refused.body);

  const fault = ctx.faults.next();
  if (fault.spurious429) {
    // Not the limit speaking: a proxy or another client of this IP. Not counted against the limit.
    ctx.counters.rateLimited++;
    ctx.counters.spurious429s++;
    res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' });
    res.end('Too Many Requests');
    return;
  }
  const refusal = checkRateLimits(ctx, client, environmentId, 'bulk');
  const limitHeaders = ctx.rateLimitHeaders ? ctx.limiter.headers(client) : {};
  if (refusal) return sendRateLimited(res, refusal, limitHeaders);

  if (fault.delayMs > 0) await ctx.sleep(fault.delayMs);
  if (fault.failStatus !== null) {
    ctx.counters.injectedFailures++;
    ctx.logger?.warn({ status: fault.failStatus, environmentId }, 'emulator: injected failure');
    return sendJson(res, fault.failStatus, { error: 'Injected failure (emulator --failure-rate)', code: 'injected_failure' });
  }

  if (text === undefined) return sendJson(res, 413, { error: 'Request body too large', code: 'payload_too_large' });
  const body = parseBulkBody(text);
  if (!body.ok) return sendJson(res, body.refusal.status, body.refusal.body);

  const upsert = url.searchParams.get('upsert') === 'true';
  const outcome = ctx.store.bulk(environmentId, body.users, { upsert });
  await ctx.save();
  if (fault.drop) {
    // The users are stored, but the client never learns it: the loader must treat this as in doubt.
    ctx.counters.droppedConnections++;
    ctx.logger?.warn({ environmentId }, 'emulator: dropped connection after storing');
    req.socket.destroy();
    return;
  }
  sendJson(res, 200, outcome, limitHeaders);
}
