import type { MapWarning } from './rejection.js';
import type { RowProblem } from './row-problem.js';
import type { TransformContext } from './transforms.js';

/** A value that could not be built, with the payload field it was meant for. */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
  /** Unmasked here; masked when it becomes a rejection. */
  value?: unknown;
}

/**
 * What mapping one source row collects (problems and warnings, under the payload field being
 * built) and the options its transforms need. One per row; the compiled mapper points `field`
 * (and, inside `wallets`/`oauthAccounts`, `list` and `index`) at each value before building it,
 * so no closure or field-name string is made per value: the name is only spelled out when a
 * problem or warning needs it.
 */
export class RowContext implements TransformContext {
  readonly problems: FieldProblem[] = [];
  readonly warnings: MapWarning[] = [];
  /** The payload field (`email`, `metadata.plan`), or inside a list the item's part (`chain`). */
  field = '';
  /** `wallets` or `oauthAccounts` while an item of that list is built, else undefined. */
  list: string | undefined = undefined;
  /** The item's position in `list`. */
  index = 0;
  /** Per list, the index of the rule that built each item: whose `onInvalid` a failed item follows. */
  readonly itemRules: Record<'wallets' | 'oauthAccounts', number[]> = { wallets: [], oauthAccounts: [] };

  constructor(
    readonly legacyId: string,
    readonly phoneRegion: string | undefined,
  ) {}

  /** `email`, `metadata.plan`, `wallets[1].chain`. */
  fieldName(): string {
    return this.list === undefined ? this.field : `${this.list}[${this.index}].${this.field}`;
  }

  warn(rule: string, message: string): void {
    this.warnings.push({ legacyId: this.legacyId, field: this.fieldName(), rule, message });
  }

  /** Records why the current field could not be built. */
  addProblem(problem: RowProblem): void {
    const { rule, message, value } = problem;
    this.problems.push({ field: this.fieldName(), rule, message, ...(value !== undefined ? { value } : {}) });
  }
}
