/**
 * What a transform may need besides its input: the mapping's default phone region, and a way to
 * report a warning (a value changed but still usable) without rejecting the row.
 */
export interface TransformContext {
  /** Region for phone numbers written without `+`; from the mapping's `options.phoneRegion`. */
  phoneRegion?: string;
  /** Records a warning about the value being built: `truncated`, `stripped`, `slugified`, ... */
  warn?: (rule: string, message: string) => void;
}
