import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { Argv, CommandModule } from 'yargs';

// Every flag of every command is documented, for that command: the CLI's own yargs definition is the
// list, the flag tables of README.md and docs/*.md are the documentation. A flag table is a markdown
// table whose first column is headed "flag"; the commands a row belongs to are named in its
// "commands" column, or, in a table without one, in backticks in the heading above the table
// ("### `emulator` flags").

// The commands are the ones main() registers: yargs is wrapped to record each `.command(module)`,
// and main runs with no arguments, which stops at "Name a command" before any command runs.
const registered = vi.hoisted(() => [] as CommandModule[]);
vi.mock('yargs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('yargs')>();
  return {
    default: (...args: Parameters<typeof actual.default>) => {
      const instance = actual.default(...args);
      const command = instance.command.bind(instance) as (...rest: unknown[]) => Argv;
      Object.assign(instance, {
        command: (module: CommandModule, ...rest: unknown[]) => {
          registered.push(module);
          return command(module, ...rest);
        },
      });
      return instance;
    },
  };
});

const root = new URL('../../../', import.meta.url);
const { default: realYargs } = await vi.importActual<typeof import('yargs')>('yargs');
const { main } = await import('../../../src/cli/main.js');

const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
const noCommandExit = await main([]);
quiet.mockRestore();

/** yargs' own flags, the same on every command: documented once, in the README. */
const GLOBAL_FLAGS = ['help', 'version'];

interface CommandFlags {
  name: string;
  /** Flags shown in the command's --help. */
  flags: string[];
  /** Flags the command accepts but hides from its --help (e.g. worker's copies of run-only flags). */
  hidden: string[];
}

/** Each command's options, read by running its builder on a fresh parser: no command runs. */
function commandFlags(module: CommandModule): CommandFlags {
  const usage = Array.isArray(module.command) ? String(module.command[0]) : String(module.command);
  const name = usage.split(' ')[0]!;
  const positionals = [...usage.matchAll(/[<[]([^>\]]+)[>\]]/g)].map((match) => match[1]!);
  const parser = realYargs([]);
  const built = typeof module.builder === 'function' ? (module.builder(parser) ?? parser) : parser.options(module.builder ?? {});
  const options = (built as unknown as { getOptions(): { key: Record<string, unknown>; hiddenOptions: string[] } }).getOptions();
  const all = Object.keys(options.key).filter((key) => !GLOBAL_FLAGS.includes(key) && !positionals.includes(key));
  const hidden = all.filter((key) => options.hiddenOptions.includes(key));
  return { name, flags: all.filter((key) => !hidden.includes(key)), hidden };
}

const commands = registered.map(commandFlags);
const known = new Map(commands.map((command) => [command.name, new Set([...command.flags, ...command.hidden])]));

const docFiles = ['README.md', ...readdirSync(new URL('docs/', root)).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];
const docs = docFiles.map((file) => ({ file, text: readFileSync(new URL(file, root), 'utf8') }));

/** A table row's cells; `\|` is a pipe inside a cell. */
function cells(line: string): string[] {
  return line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((cell) => cell.trim());
}

interface FlagRow {
  file: string;
  line: number;
  flags: string[];
  commands: string[];
}

/** Every row of every flag table, with the flags of its first cell and the commands it is for. */
function flagRows(file: string, text: string): FlagRow[] {
  const rows: FlagRow[] = [];
  const lines = text.split('\n');
  let heading = '';
  let fenced = false;
  for (let at = 0; at < lines.length; at += 1) {
    const line = lines[at]!;
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    if (/^#{1,6} /.test(line)) heading = line;
    if (!line.startsWith('|') || !lines[at + 1]?.startsWith('| ---')) continue;
    const header = cells(line).map((cell) => cell.toLowerCase());
    const commandsColumn = header.indexOf('commands');
    const fromHeading = [...heading.matchAll(/`([a-z-]+)`/g)].map((match) => match[1]!);
    for (at += 2; lines[at]?.startsWith('|'); at += 1) {
      if (header[0] !== 'flag') continue;
      const row = cells(lines[at]!);
      const flags = [...row[0]!.matchAll(/--([a-z0-9][a-z0-9-]*)/g)].map((match) => match[1]!);
      const forCommands = commandsColumn >= 0 ? (row[commandsColumn] ?? '').split(/[\s,]+/).filter(Boolean) : fromHeading;
      rows.push({ file, line: at + 1, flags, commands: forCommands });
    }
    at -= 1;
  }
  return rows;
}

const rows = docs.flatMap(({ file, text }) => flagRows(file, text));

/** `--no-progress` documents `--progress`: yargs' negation of a boolean. */
function flagOf(command: string, written: string): string {
  const flags = known.get(command);
  return !flags?.has(written) && written.startsWith('no-') && flags?.has(written.slice(3)) ? written.slice(3) : written;
}

const documented = new Set(rows.flatMap((row) => row.commands.flatMap((command) => row.flags.map((flag) => `${command} --${flagOf(command, flag)}`))));

describe('every flag of every command is documented', () => {
  it('reads the commands from the CLI definition', () => {
    expect(noCommandExit).toBe(2);
    expect(commands.map((command) => command.name)).toEqual(expect.arrayContaining(['run', 'worker', 'check', 'rollback', 'emulator']));
    expect(rows.length).toBeGreaterThan(0);
  });

  it.each(commands.map((command) => [command.name, command] as const))('%s: each of its flags is in a flag table for it', (name, command) => {
    const missing = command.flags.filter((flag) => !documented.has(`${name} --${flag}`)).map((flag) => `--${flag}`);
    expect(missing, `undocumented flags of "${name}": give each a row in a flag table of README.md or docs/*.md that names "${name}" (see the comment at the top of this test)`).toEqual([]);
  });

  it('the flags every command has (--help, --version) are in the README', () => {
    const readme = docs[0]!.text;
    expect(GLOBAL_FLAGS.filter((flag) => !new RegExp(`--${flag}(?![a-z0-9-])`).test(readme))).toEqual([]);
  });

  it('no flag table documents a command or a flag the CLI does not have', () => {
    const stale = rows.flatMap((row) =>
      row.commands.flatMap((command) => {
        const flags = known.get(command);
        if (!flags) return [`${row.file}:${row.line}: no command "${command}"`];
        return row.flags.filter((flag) => !flags.has(flagOf(command, flag))).map((flag) => `${row.file}:${row.line}: "${command}" has no --${flag}`);
      }),
    );
    expect(stale).toEqual([]);
  });
});
