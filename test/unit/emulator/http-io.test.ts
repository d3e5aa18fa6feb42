import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { clientIp, readBody, sendJson } from '../../../src/emulator/http-io.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A server answering with what `readBody(req, limit)` read, as JSON: the text, or null when too large. */
async function echoServer(limit: number): Promise<number> {
  const server = createServer((req, res) => {
    readBody(req, limit).then((text) => sendJson(res, 200, { text: text ?? null }), () => res.destroy());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function post(port: number, chunks: string[]): Promise<{ status: number; length: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'], body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('readBody and sendJson', () => {
  it('reads a body sent in several chunks, multi-byte characters included, and answers with its byte length', async () => {
    const port = await echoServer(1024);
    const answer = await post(port, ['{"name":"Zoë', ' Ångström"}']);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ text: '{"name":"Zoë Ångström"}' });
    expect(Number(answer.length)).toBe(Buffer.byteLength(answer.body));
  });

  it('gives undefined for a body over the limit, after draining it', async () => {
    const port = await echoServer(10);
    const answer = await post(port, ['0123456789', 'abc']);
    expect(JSON.parse(answer.body)).toEqual({ text: null });
  });
});

describe('clientIp', () => {
  const from = (remoteAddress: string | undefined) => clientIp({ socket: { remoteAddress } } as IncomingMessage);

  it('is the remote address, an IPv4-mapped IPv6 one as plain IPv4', () => {
    expect(from('127.0.0.2')).toBe('127.0.0.2');
    expect(from('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(from('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(from('::1')).toBe('::1');
    expect(from('2001:db8::ffff:1')).toBe('2001:db8::ffff:1');
    expect(from(undefined)).toBe('unknown');
  });
});
