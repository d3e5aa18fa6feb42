// yargs handlers cannot return a value, so a command leaves its exit code here for main() to return.
let pending = 0;

export function setExitCode(code: number): void {
  pending = code;
}

export function takeExitCode(): number {
  const code = pending;
  pending = 0;
  return code;
}
