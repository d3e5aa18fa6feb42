import { describe, expect, it } from 'vitest';
import { fatalMessage, serverReason } from '../../../src/load/server-answer.js';

describe('serverReason', () => {
  it('reads the error body shapes Dynamic uses', () => {
    expect(serverReason('{"error":"Invalid body: email"}')).toBe('Invalid body: email');
    expect(serverReason('{"code":"bad","message":"Nope"}')).toBe('Nope');
    expect(serverReason('{"message":"Rate limit exceeded","code":429}')).toBe('Rate limit exceeded');
    expect(serverReason('{"code":429}')).toBe('429');
  });

  it('falls back to the raw text, shortened', () => {
    expect(serverReason('  <html>Bad Gateway</html> ')).toBe('<html>Bad Gateway</html>');
    expect(serverReason('x'.repeat(1000))).toHaveLength(301);
  });
});

describe('fatalMessage', () => {
  it('tells what to check for each status', () => {
    expect(fatalMessage(401, '', 'env')).toBe('the API token was rejected (401): check DYNAMIC_API_TOKEN');
    expect(fatalMessage(403, 'no access', 'env-1')).toMatch(/environment env-1 \(403\).*DYNAMIC_ENVIRONMENT_ID.*no access/);
    expect(fatalMessage(400, 'email: invalid', 'env')).toBe('the API rejected the request (400): email: invalid');
    expect(fatalMessage(422, '', 'env')).toBe('the API rejected the request (422): no reason given');
  });
});
