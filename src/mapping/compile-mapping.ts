import type { z } from 'zod';
import { describeIssues, userPayloadSchema } from '../contract/index.js';
import { coerceError } from '../errors.js';
import { buildOauthAccounts } from './build-oauth-accounts.js';
import { buildWallets } from './build-wallets.js';
import { evaluateField } from './evaluate-value.js';
import type { FieldProblem, RowState } from './evaluate-value.js';
import type { MappingSpec } from './mapping-spec.js';
import { maskValue } from './mask-value.js';
import { isRecord } from './records-for.js';
import type { MapResult, MapWarning, Rejection } from './rejection.js';
import type { SourceRow } from './source-row.js';

/**
 * Compiles a parsed mapping into a pure row mapper. Each row gives a payload validated against
 * the contract's `userPayloadSchema` (the schema the emulator enforces), or every reason it is
 * rejected; either may carry warnings (values cut or cleaned to fit). The mapper never throws:
 * anything unexpected becomes an `internal` rejection.
 */
export function compileMapping(spec: MappingSpec): (source: SourceRow) => MapResult {
  return (source) => {
    const legacyId = legacyIdOf(source);
    try {
      return mapRow(spec, source, legacyId);
    } catch (error) {
      const reason = coerceError(error);
      return { ok: false, legacyId, rejections: [{ legacyId, field: '(row)', rule: 'internal', message: `the mapper failed: ${reason.name}: ${reason.message}` }] };
    }
  };
}

function mapRow(spec: MappingSpec, source: SourceRow, legacyId: string): MapResult {
  const row = isRecord(source.row) ? source.row : {};
  const phoneRegion = spec.options?.phoneRegion;
  const state: RowState = { problems: [], warnings: [], ...(phoneRegion !== undefined ? { phoneRegion } : {}) };
  const { problems } = state;
  const payload: Record<string, unknown> = {};

  for (const [field, valueSource] of Object.entries(spec.fields ?? {})) {
    const value = valueSource && evaluateField(valueSource, row, field, state);
    if (value != null) payload[field] = value;
  }
  const metadata: Record<string, unknown> = {};
  for (const [key, valueSource] of Object.entries(spec.metadata ?? {})) {
    const value = evaluateField(valueSource, row, `metadata.${key}`, state);
    if (value != null) metadata[key] = value;
  }
  metadata[spec.legacyIdKey] = legacyId;
  payload.metadata = metadata;
  const wallets = buildWallets(spec.wallets ?? [], source, state);
  if (wallets.length > 0) payload.wallets = wallets;
  const oauthAccounts = buildOauthAccounts(spec.oauthAccounts ?? [], source, state);
  if (oauthAccounts.length > 0) payload.oauthAccounts = oauthAccounts;

  // reportInput: describeIssues tells a missing value ("required") from a wrong one by the input.
  const checked = userPayloadSchema.safeParse(payload, { reportInput: true });
  const warnings: MapWarning[] = state.warnings.map(({ field, rule, message }) => ({ legacyId, field, rule, message }));
  const withWarnings = warnings.length > 0 ? { warnings } : {};
  if (checked.success && problems.length === 0) return { ok: true, legacyId, payload: checked.data, ...withWarnings };

  const rejections = problems.map((problem) => toRejection(legacyId, problem));
  // A field the mapper already rejected (and so left out) would come back as "required": say it once.
  const rejectedFields = new Set(problems.map((problem) => problem.field));
  for (const issue of checked.error?.issues ?? []) {
    for (const violation of violationsOf(issue, payload)) {
      if (!rejectedFields.has(violation.field)) rejections.push(toRejection(legacyId, violation));
    }
  }
  return { ok: false, legacyId, rejections, ...withWarnings };
}

function violationsOf(issue: z.core.$ZodIssue, payload: Record<string, unknown>): FieldProblem[] {
  const value = valueAt(payload, issue.path);
  return describeIssues([issue]).map((violation) => ({ ...violation, ...(value !== undefined ? { value } : {}) }));
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function toRejection(legacyId: string, problem: FieldProblem): Rejection {
  const { field, rule, message } = problem;
  return { legacyId, field, rule, message, ...(problem.value !== undefined ? { value: maskValue(problem.value) } : {}) };
}

function legacyIdOf(source: SourceRow): string {
  const key: unknown = isRecord(source) ? source.key : undefined;
  return typeof key === 'string' ? key : String(key);
}
