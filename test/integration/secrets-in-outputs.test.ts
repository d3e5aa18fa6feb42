import { once } from 'node:events';
import { mkdirSync, readFileSync, readdirSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_ID, createMigrationFixture, latestRunDir, latestSummary, readJsonl } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';

/** Matches no pattern of the scrubber (not `dyn_`, not after "Bearer" everywhere): only its registration removes it. */
const TOKEN = 'tok-Zq8Lr2Wv9Xp4Kd7N';
const PASSWORD = 'pw-Hq3Vx8Rt5Jm1';
const QUOTED_EMAIL = 'jane.doe@example.com';
const PAGE_SIZE = 50;

/**
 * Dynamic's bulk endpoint as a real HTTP server that leaks: the first request is refused whole
 * (400) with a body quoting the token and an email, every later one answers 200 with each user in
 * `failed[]`, its error echoing the token, the bearer header and the user's own email.
 */
async function startLeakyApi(): Promise<{ baseUrl: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests += 1;
      response.setHeader('content-type', 'application/json');
      if (!request.url?.includes('/users/bulk') || request.method !== 'POST') {
        response.writeHead(404).end(JSON.stringify({ error: 'not found' }));
        return;
      }
      if (requests === 1) {
        response.writeHead(400).end(JSON.stringify({ error: `bad request from token ${TOKEN} about ${QUOTED_EMAIL}` }));
        return;
      }
      const users = JSON.parse(body) as Array<{ email?: string; metadata?: Record<string, unknown> }>;
      const failed = users.map((user) => ({
        user: { email: user.email ?? null, metadata: user.metadata },
        error: `token ${TOKEN} (Authorization: Bearer ${TOKEN}) may not create ${user.email ?? QUOTED_EMAIL}; ask ${QUOTED_EMAIL}`,
        code: 'user_refused',
      }));
      response.writeHead(200).end(JSON.stringify({ created: [], updated: [], failed, total: users.length }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/v0`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// A run whose API echoes the token and emails in its errors, and whose database errors quote the
// password and an email, leaves none of them in any output: the files of the run, stdout, stderr.
describe('secrets and personal data in every output', () => {
  let fixture: MigrationFixture;
  let api: Awaited<ReturnType<typeof startLeakyApi>>;
  let databaseUrl: string;
  let mapping: string;
  let emails: string[];

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 200, seed: 23 });
    api = await startLeakyApi();
    // The test server trusts every connection, so a password in the URL is accepted and ignored.
    const url = new URL(fixture.db.url);
    url.password = PASSWORD;
    databaseUrl = url.toString();

    // Reading the wallets of any user past the first page fails with a message quoting the
    // password (in a URL and as conninfo) and an email. The address is computed after the
    // `user_id in (...)` filter, so the first page reads cleanly and its batches are sent.
    const firstPage = await sql<{ last: string }>`select max(id)::text as last from (select id from users where deleted_at is null order by id limit ${PAGE_SIZE}) p`.execute(fixture.db.admin);
    const last = Number(firstPage.rows[0]?.last);
    await sql.raw(`
      create function leak_address(uid bigint, address text) returns text language plpgsql as $$
      begin
        if uid > ${last} then
          raise exception 'replica postgres://reader:${PASSWORD}@10.0.0.5/app refused (host=10.0.0.5 password=${PASSWORD}) while reading for ${QUOTED_EMAIL}';
        end if;
        return address;
      end $$`).execute(fixture.db.admin);
    await sql.raw(`create view leaky_wallets as
      select id, user_id, chain, leak_address(user_id, address) as address, wallet_name, provider, created_at from user_wallets`).execute(fixture.db.admin);
    const document = JSON.parse(readFileSync('mappings/example.json', 'utf8')) as { source: { children: { wallets: { table: string } } } };
    document.source.children.wallets.table = 'leaky_wallets';
    mapping = join(fixture.dir, 'leaky-mapping.json');
    writeFileSync(mapping, JSON.stringify(document, null, 2));

    const seeded = await sql<{ email: string }>`select email from users where email like '%@%.%'`.execute(fixture.db.admin);
    emails = [...new Set(seeded.rows.flatMap((row) => [row.email, row.email.trim().toLowerCase()]))];
    expect(emails.length).toBeGreaterThan(50);

    // As git leaves the shipped checkpoints/ folder: 0755.
    mkdirSync(join(fixture.dir, 'checkpoints'));
    chmodSync(join(fixture.dir, 'checkpoints'), 0o755);
  });
  afterAll(async () => {
    await api?.close();
    await fixture?.cleanup();
  });

  const runArgs = (job: string, ...extra: string[]) => [
    'run', '--mapping', mapping, '--job', job, '--database-url', databaseUrl, ...fixture.dirArgs,
    '--page-size', String(PAGE_SIZE), '--batch-size', '10', '--concurrency', '1', '--rate-limit', '0', '--retries', '0', ...extra,
  ];
  const apiEnv = () => ({ DYNAMIC_API_URL: api.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: TOKEN });

  /** Every file the run left in its report folder, by name. */
  const runFiles = (job: string) => {
    const dir = latestRunDir(fixture.dir, job);
    return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  };

  const expectClean = (where: string, text: string) => {
    expect(text, where).not.toContain(TOKEN);
    expect(text, where).not.toContain(PASSWORD);
    expect(text, where).not.toContain(QUOTED_EMAIL);
    const clear = emails.filter((email) => text.includes(email));
    expect(clear, `${where}: clear emails`).toEqual([]);
  };

  it('writes the API and database errors scrubbed into failed.jsonl, summary.json, report.json, report.html, stdout and stderr', async () => {
    const result = await runCli(runArgs('leak-text'), apiEnv());
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(1); // the database error stopped the run
    const files = runFiles('leak-text');
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['failed.jsonl', 'summary.json', 'report.json', 'report.html']));
    for (const [name, text] of Object.entries(files)) expectClean(name, text);
    expectClean('stdout', result.stdout);
    expectClean('stderr', result.stderr);

    // What was scrubbed was there to scrub: the API's echo, and the database's error.
    expect(api.requests()).toBeGreaterThan(1);
    const failed = readJsonl(join(latestRunDir(fixture.dir, 'leak-text'), 'failed.jsonl'));
    expect(failed.map((line) => line.code)).toContain('user_refused');
    expect(files['failed.jsonl']).toContain('[redacted]');
    expect(files['failed.jsonl']).toContain('j…m (20 chars)');
    const summary = latestSummary(fixture.dir, 'leak-text');
    expect(summary.fatalError).toMatch(/refused/);
    expect(summary.fatalError).toContain('j…m (20 chars)');
    expect(JSON.parse(files['report.json'] ?? '{}')).toMatchObject({ fatalError: summary.fatalError });
    expect(result.stdout).toContain('j…m (20 chars)'); // the summary's "stopped early: ..." line

    // The password came in a flag: a warning that points to DATABASE_URL (and does not quote it).
    expect(result.stderr).toMatch(/warning: --database-url holds a password.*DATABASE_URL/);
    // The shipped checkpoints/ folder (0755) is now its owner's only.
    expect(statSync(join(fixture.dir, 'checkpoints')).mode & 0o777).toBe(0o700);
  });

  it('keeps stderr clean with --log-format json too, the password warning a JSON warn line', async () => {
    const result = await runCli(runArgs('leak-json', '--log-format', 'json'), apiEnv());
    expect(result.code).toBe(1);
    for (const [name, text] of Object.entries(runFiles('leak-json'))) expectClean(name, text);
    expectClean('stdout', result.stdout);
    expectClean('stderr', result.stderr);
    const events = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as { event: string; message?: string; summary?: { fatalError?: string } });
    expect(events.find((event) => event.event === 'warn' && /--database-url holds a password/.test(event.message ?? ''))).toBeDefined();
    expect(events.find((event) => event.event === 'finished')?.summary?.fatalError).toContain('j…m (20 chars)');
  });

  it('refuses to send the token over plain http to another host unless --allow-insecure-api-url', async () => {
    const insecure = { ...apiEnv(), DYNAMIC_API_URL: 'http://0.0.0.0:9/api/v0' };
    for (const args of [
      runArgs('insecure'),
      ['reconcile', '--mapping', mapping, '--job', 'insecure', '--database-url', databaseUrl, ...fixture.dirArgs.slice(0, 2)],
      ['rollback', '--job', 'insecure', '--yes', ...fixture.dirArgs.slice(0, 2)],
    ]) {
      const refused = await runCli(args, insecure);
      expect(refused.code, args[0]).toBe(2);
      expect(refused.stderr, args[0]).toMatch(/^dynamic-migrate: refusing to send the API token over plain http:\/\/ to 0\.0\.0\.0:9: .*--allow-insecure-api-url/m);
      expect(refused.stderr, args[0]).not.toContain(TOKEN);
    }
    // With the flag it goes on and tries to send (nothing listens there).
    const allowed = await runCli(runArgs('insecure', '--allow-insecure-api-url'), insecure);
    expect(allowed.stderr).not.toMatch(/refusing to send/);
    expect(allowed.code).toBe(1);
    expect(allowed.stdout).toMatch(/network error/);
  });
});
