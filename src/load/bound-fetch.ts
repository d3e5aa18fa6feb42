import { createServer, isIP } from 'node:net';
import { ConfigError } from '../errors.js';

/** A fetch whose connections all go out from one local address, and the pool it holds open. */
export interface BoundFetch {
  fetch: typeof fetch;
  /** Closes the pooled connections; requests still on the wire finish first. */
  close(): Promise<void>;
}

/**
 * `--local-address`: a fetch bound to `localAddress`, for machines with several addresses, and
 * for tests where workers on 127.0.0.2, 127.0.0.3, ... are distinct clients to a per-IP limit.
 *
 * undici's own `fetch` with its own `Agent`: the global fetch is the undici bundled with Node,
 * whose version need not match the npm package's dispatcher. The address is the Agent's
 * `localAddress`, not `connect.localAddress`, which undici's client overrides with its own (unset)
 * one, silently leaving the request unbound. The pool keeps undici's defaults, those of the
 * global fetch: one keep-alive connection per request in flight, idle ones closed after 4 s.
 * It takes a URL, never a `Request`: the global `Request` is not undici's own class.
 * @throws ConfigError when `localAddress` is not an IP address.
 */
export async function boundFetch(localAddress: string): Promise<BoundFetch> {
  requireIpAddress(localAddress);
  // Loaded on use: importing undici takes about 100 ms, which a run without the flag need not pay.
  const { Agent, fetch: undiciFetch } = await import('undici');
  const agent = new Agent({ localAddress });
  const bound: typeof fetch = async (input, init = {}) => {
    if (typeof input !== 'string' && !(input instanceof URL)) throw new TypeError('a bound fetch takes a URL, not a Request');
    return undiciFetch(input, { ...init, dispatcher: agent });
  };
  return {
    fetch: bound,
    close: () => agent.close(),
  };
}

/**
 * Checks `--local-address` before any work starts: an IP address (node:net `isIP`) that this
 * machine can bind. Unchecked, an address of another machine would fail every request with
 * EADDRNOTAVAIL, and the retries would take minutes to say so.
 * @throws ConfigError naming the flag and the reason.
 */
export async function checkLocalAddress(localAddress: string): Promise<void> {
  requireIpAddress(localAddress);
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, host: localAddress, exclusive: true }, resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(`invalid --local-address ${localAddress}: not an address of this machine (${code})`, { cause: error });
  } finally {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
}

function requireIpAddress(localAddress: string): void {
  if (isIP(localAddress) === 0) throw new ConfigError(`invalid --local-address "${localAddress}": not an IPv4 or IPv6 address`);
}
