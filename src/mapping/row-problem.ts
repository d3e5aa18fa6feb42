/**
 * Why one value of one row could not be mapped. Thrown inside the mapper's evaluation and caught
 * per field by `compileMapping`, which turns it into a `Rejection`; it never leaves the mapper.
 * The message must not contain the value: the value travels separately and is masked.
 */
export class RowProblem extends Error {
  constructor(
    /** Stable rule name: `transform`, `value_map`, `missing_column`, `type`. */
    readonly rule: string,
    message: string,
    /** The offending value, masked before it is written anywhere. */
    readonly value?: unknown,
  ) {
    super(message);
    this.name = 'RowProblem';
  }
}
