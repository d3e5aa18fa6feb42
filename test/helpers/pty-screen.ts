import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Size of the pseudo-terminal and of the emulated screen: the 150-column pane the bug was seen in. */
export interface ScreenSize {
  cols: number;
  rows: number;
}

/** What a program wrote to its terminal, and how it exited. */
export interface PtyResult {
  code: number | null;
  /** Every byte the program wrote, as the terminal received it (the pty turns `\n` into `\r\n`). */
  output: string;
}

/**
 * An OSC sequence a program under test writes to say "look at the screen now": the terminal shows
 * nothing for it, and {@link renderScreen} takes a copy of the screen at that point of the stream.
 */
export const screenMark = (name: string) => `\x1b]${MARK_OSC};${name}\x07`;
const MARK_OSC = 7770;

const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** util-linux `script`, which gives a command a real pseudo-terminal without a native addon. */
function scriptBinary(): string {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0 || !/util-linux/.test(probe.stdout)) {
    throw new Error(
      'util-linux `script` was not found (or is not util-linux\'s): the terminal display tests need it to run the CLI under a pseudo-terminal. ' +
        'On Debian it is in the essential package bsdutils (`apt-get install bsdutils`).',
      probe.error ? { cause: probe.error } : undefined,
    );
  }
  return 'script';
}

/**
 * Runs `argv` (from the repository root) under a pseudo-terminal of the given size, through
 * `script -qfec`, and returns what it wrote there: stdout and stderr both, interleaved as a person
 * would see them. Only the environment given (plus PATH, HOME and TERM) reaches the program.
 */
export async function runInPty(argv: string[], size: ScreenSize, env: Record<string, string> = {}): Promise<PtyResult> {
  const command = `stty cols ${size.cols} rows ${size.rows} && exec ${argv.map(shellQuote).join(' ')}`;
  const child = spawn(scriptBinary(), ['-qfec', command, '/dev/null'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', SHELL: '/bin/sh', TERM: 'xterm-256color', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      // `script` itself writes to its stderr only when it cannot run the command.
      if (stderr !== '') reject(new Error(`script: ${stderr.trim()}`));
      else resolve({ code, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** The text of a terminal as a person reads it: one entry per line, wrapped rows joined, trailing blanks cut. */
export type ScreenText = string[];

/** The final screen (with everything scrolled above it), and the screen at each {@link screenMark}. */
export interface RenderedScreen {
  final: ScreenText;
  marks: Map<string, ScreenText>;
}

function readBuffer(terminal: InstanceType<typeof xterm.Terminal>): ScreenText {
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const row = buffer.getLine(y);
    if (!row) continue;
    const text = row.translateToString(true);
    if (row.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  return lines.map((line) => line.trimEnd());
}

/**
 * Feeds a program's terminal output to a headless xterm.js of the same size and reads the result:
 * the whole buffer (scrollback included, so a leftover that scrolled away is still seen) at the
 * end and at each mark the program wrote.
 */
export async function renderScreen(output: string, size: ScreenSize): Promise<RenderedScreen> {
  const terminal = new xterm.Terminal({ cols: size.cols, rows: size.rows, scrollback: 10_000, allowProposedApi: true });
  const marks = new Map<string, ScreenText>();
  terminal.parser.registerOscHandler(MARK_OSC, (name) => {
    marks.set(name, readBuffer(terminal));
    return true;
  });
  await new Promise<void>((resolve) => terminal.write(output, resolve));
  const final = readBuffer(terminal);
  terminal.dispose();
  return { final, marks };
}
