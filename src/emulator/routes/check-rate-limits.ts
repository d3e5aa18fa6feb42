import type { ServerResponse } from 'node:http';
import { clientCounters } from '../emulator-stats.js';
import { sendJson } from '../http-io.js';
import type { RouteContext } from './route-context.js';

/** A request one of the limits refused: which one, and when it has a slot again. */
export interface LimitRefusal {
  limit: 'ip' | 'environment';
  retryAfterSeconds: number;
}

/**
 * The two rate limits of one request: the per-IP one (bulk requests only), then the environment's
 * (every environment route, all IPs together). Both are asked before either takes a slot, so a
 * request one refuses uses no slot of the other; when both would refuse, the per-IP refusal is the
 * one answered (the client's own window, the one it can do something about). Counts the outcome in
 * the stats, under `client` and in total. `developer`: every environment route but the bulk one.
 */
export function checkRateLimits(ctx: RouteContext, client: string, environmentId: string, route: 'bulk' | 'developer'): LimitRefusal | undefined {
  const bulk = route === 'bulk';
  const stats = clientCounters(ctx.counters, client);
  const refusal = refusalOf(ctx, client, environmentId, bulk);
  if (refusal) {
    if (bulk) ctx.counters.rateLimited++;
    if (refusal.limit === 'ip') stats.ipRateLimited++;
    else {
      stats.environmentRateLimited++;
      ctx.counters.environmentRateLimited++;
    }
    return refusal;
  }
  ctx.environmentLimiter.tryAcquire(environmentId);
  if (bulk) {
    ctx.limiter.tryAcquire(client);
    stats.granted++;
    stats.peakInWindow = Math.max(stats.peakInWindow, ctx.limiter.inWindow(client));
  }
  return undefined;
}

function refusalOf(ctx: RouteContext, client: string, environmentId: string, bulk: boolean): LimitRefusal | undefined {
  const ip = bulk ? ctx.limiter.check(client) : { allowed: true as const };
  if (!ip.allowed) return { limit: 'ip', retryAfterSeconds: ip.retryAfterSeconds };
  const environment = ctx.environmentLimiter.check(environmentId);
  if (!environment.allowed) return { limit: 'environment', retryAfterSeconds: environment.retryAfterSeconds };
  return undefined;
}

/** The 429 of a refusal: `Retry-After` from the limit that refused, and `headers` (a bulk answer's RateLimit-*). */
export function sendRateLimited(res: ServerResponse, refusal: LimitRefusal, headers: Record<string, string> = {}): void {
  const message = refusal.limit === 'ip' ? 'Rate limit exceeded' : 'Environment rate limit exceeded';
  sendJson(res, 429, { message, code: 429 }, { ...headers, 'retry-after': String(refusal.retryAfterSeconds) });
}
