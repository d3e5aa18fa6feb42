import type { z } from 'zod';

/** One broken rule of the contract, in words a person reading a rejects file can act on. */
export interface ContractViolation {
  /** Dotted path into the payload, e.g. `wallets[0].chain`. */
  field: string;
  /** Short stable name of the rule: `pattern`, `max_length`, `enum`, `required`, `type`, `unknown_field`, ... */
  rule: string;
  message: string;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(payload)' : out;
}

function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : 'type';
    case 'invalid_value':
      return issue.input === undefined ? 'required' : 'enum';
    case 'invalid_format':
      return issue.format === 'regex' ? 'pattern' : issue.format;
    case 'too_big':
      return issue.origin === 'array' ? 'max_items' : 'max_length';
    case 'too_small':
      return issue.origin === 'array' ? 'min_items' : 'min_length';
    case 'unrecognized_keys':
      return 'unknown_field';
    case 'custom':
      return typeof issue.params?.rule === 'string' ? issue.params.rule : 'custom';
    default:
      return issue.code;
  }
}

/**
 * Flattens zod issues into contract violations; unknown keys become one violation per key.
 * Parse with `{ reportInput: true }`: zod 4 drops `issue.input` otherwise, and a wrong type would
 * then read as a missing field.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): ContractViolation[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: formatPath([...issue.path, key]),
        rule: 'unknown_field',
        message: `is not a field of the API (unknown key "${key}")`,
      }));
    }
    return [{ field: formatPath(issue.path), rule: ruleOf(issue), message: issue.message }];
  });
}
