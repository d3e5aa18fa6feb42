import { createInterface } from 'node:readline/promises';

/**
 * Asks the person at the terminal to type `expected` (the job name) and resolves true only when
 * they do, exactly. Streams are passed in so it can be tested without a terminal.
 */
export async function confirmByName(
  expected: string,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
): Promise<boolean> {
  const rl = createInterface({ input: io.input, output: io.output, terminal: false });
  // readline's question never settles when the input ends unanswered (Ctrl-D): closing counts as no.
  const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)));
  try {
    const answer = await Promise.race([rl.question(`Type the job name (${expected}) to delete these users, anything else to cancel: `), closed]);
    return answer !== null && answer.trim() === expected;
  } catch {
    return false; // input closed before an answer: nothing confirmed
  } finally {
    rl.close();
  }
}
