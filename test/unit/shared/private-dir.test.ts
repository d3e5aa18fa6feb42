import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir } from '../../../src/shared/private-dir.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dm-private-dir-'));
  dirs.push(dir);
  return dir;
}

/** A folder of mode `mode`, set after creation so the umask does not change it. */
function folder(path: string, mode: number): string {
  mkdirSync(path);
  chmodSync(path, mode);
  return path;
}

const mode = (path: string) => statSync(path).mode & 0o7777;

describe('ensurePrivateDir', () => {
  it('creates a missing folder and its missing parents with mode 0700', () => {
    const root = tempDir();
    ensurePrivateDir(join(root, 'checkpoints', 'reports'));
    expect(mode(join(root, 'checkpoints'))).toBe(0o700);
    expect(mode(join(root, 'checkpoints', 'reports'))).toBe(0o700);
  });

  it('tightens an existing folder of ours that group or others can enter (checkpoints/ as git leaves it)', () => {
    const checkpoints = folder(join(tempDir(), 'checkpoints'), 0o755);
    ensurePrivateDir(checkpoints);
    expect(mode(checkpoints)).toBe(0o700);
    const groupOnly = folder(join(tempDir(), 'group'), 0o770);
    ensurePrivateDir(groupOnly);
    expect(mode(groupOnly)).toBe(0o700);
  });

  it('leaves a sticky folder alone: it is shared, like /tmp', () => {
    const shared = folder(join(tempDir(), 'shared'), 0o1777);
    ensurePrivateDir(shared);
    expect(mode(shared)).toBe(0o1777);
  });

  it.skipIf(process.getuid?.() !== 0)('leaves a folder of another user alone (run as root: the only way to own one here)', () => {
    const theirs = folder(join(tempDir(), 'theirs'), 0o755);
    chownSync(theirs, 65534, 65534);
    ensurePrivateDir(theirs);
    expect(mode(theirs)).toBe(0o755);
  });

  it('leaves the working directory alone (--checkpoint-dir .)', () => {
    const project = folder(join(tempDir(), 'project'), 0o755);
    const saved = process.cwd();
    process.chdir(project);
    try {
      ensurePrivateDir('.');
    } finally {
      process.chdir(saved);
    }
    expect(mode(project)).toBe(0o755);
  });
});
