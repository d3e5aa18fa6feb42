import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest bulk body read: 50 users with 512 KB metadata each, plus room for the rest. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // Encoded once: its length is the header, the same bytes the body.
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': bytes.length,
    ...headers,
  });
  res.end(bytes);
}

/** Reads the whole body; resolves `undefined` once it exceeds `limit` (the rest is drained). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string | undefined> {
  // 'data' events rather than `for await`: no promise per chunk on the emulator's hot path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.once('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks, size).toString('utf8')));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before the body was complete'));
    });
  });
}

/**
 * The client key of the per-IP rate limit: the connection's remote address (no proxy header is
 * read), an IPv4-mapped IPv6 one (`::ffff:127.0.0.2`, a dual-stack socket's) as the IPv4 address.
 */
export function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}
