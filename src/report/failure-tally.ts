import type { PipelineOutcome } from '../pipeline/batch-sender.js';
import { scrubText } from '../shared/scrub-text.js';
import type { FailureGroup } from './report-json.js';

const MAX_EXAMPLES = 5;

/**
 * Users the API refused, counted by error code with a few example row ids. Error codes are a
 * small, fixed set, so memory stays bounded. Messages are not kept: they may quote a value; codes
 * come from the API too, so they are scrubbed as they are reported.
 */
export class FailureTally {
  readonly #groups = new Map<string, FailureGroup>();

  add(outcome: PipelineOutcome): void {
    if (outcome.outcome !== 'failed') return;
    const code = outcome.errorCode ?? 'unknown';
    const group = this.#groups.get(code) ?? { code, count: 0, examples: [] };
    this.#groups.set(code, group);
    group.count += 1;
    if (group.examples.length < MAX_EXAMPLES) group.examples.push(outcome.legacyId);
  }

  /** Most failures first. */
  result(): FailureGroup[] {
    return [...this.#groups.values()]
      .map((group) => ({ ...group, code: scrubText(group.code) }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  }
}
