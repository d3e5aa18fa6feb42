import type { z } from 'zod';
import { describeIssues, userPayloadSchema } from '../contract/index.js';
import { coerceError } from '../errors.js';
import { compileOauthRules } from './compile-oauth-rules.js';
import type { OauthAccountsBuilder } from './compile-oauth-rules.js';
import { compileWalletRules } from './compile-wallet-rules.js';
import type { WalletsBuilder } from './compile-wallet-rules.js';
import { compileValueSource, generateAssigner } from './compile-value-source.js';
import type { Assigner, NamedValue } from './compile-value-source.js';
import type { MappingSpec } from './mapping-spec.js';
import { maskValue } from './mask-value.js';
import { isRecord } from './records-for.js';
import type { MapResult, Rejection } from './rejection.js';
import { RowContext } from './row-context.js';
import type { FieldProblem } from './row-context.js';
import type { SourceRow } from './source-row.js';
import type { ValueSource } from './value-source.js';

/** A compiled mapping: one source row in, its payload or its rejections out; never throws. */
export type RowMapper = (source: SourceRow) => MapResult;

/**
 * Compiles a parsed mapping into a pure row mapper. Each row gives a payload validated against
 * the contract's `userPayloadSchema` (the schema the emulator enforces), or every reason it is
 * rejected; either may carry warnings (values cut or cleaned to fit). The mapper never throws:
 * anything unexpected becomes an `internal` rejection. Everything that depends on the spec alone
 * is resolved here, once; the mapper only runs the compiled pieces (see compileValueSource).
 */
export function compileMapping(spec: MappingSpec): RowMapper {
  let compiled: CompiledMapping;
  try {
    compiled = compileSpec(spec);
  } catch (error) {
    // Only a spec that skipped parseMapping gets here: it fails row by row, as the mapper always has.
    return (source) => internalFailure(legacyIdOf(source), error);
  }
  return (source) => {
    const legacyId = legacyIdOf(source);
    try {
      return mapRow(compiled, source, legacyId);
    } catch (error) {
      return internalFailure(legacyId, error);
    }
  };
}

function internalFailure(legacyId: string, error: unknown): MapResult {
  const reason = coerceError(error);
  return { ok: false, legacyId, rejections: [{ legacyId, field: '(row)', rule: 'internal', message: `the mapper failed: ${reason.name}: ${reason.message}` }] };
}

interface CompiledMapping {
  assignFields: Assigner;
  assignMetadata: Assigner;
  legacyIdKey: string;
  wallets: WalletsBuilder;
  oauthAccounts: OauthAccountsBuilder;
  phoneRegion: string | undefined;
}

function compileSpec(spec: MappingSpec): CompiledMapping {
  return {
    assignFields: generateAssigner(compileNamed(spec.fields ?? {}, '')),
    assignMetadata: generateAssigner(compileNamed(spec.metadata ?? {}, 'metadata.')),
    legacyIdKey: spec.legacyIdKey,
    wallets: compileWalletRules(spec.wallets ?? []),
    oauthAccounts: compileOauthRules(spec.oauthAccounts ?? []),
    phoneRegion: spec.options?.phoneRegion,
  };
}

function compileNamed(sources: Partial<Record<string, ValueSource>>, prefix: string): NamedValue[] {
  const named: NamedValue[] = [];
  for (const [key, source] of Object.entries(sources)) {
    if (source) named.push({ key, field: `${prefix}${key}`, value: compileValueSource(source) });
  }
  return named;
}

function mapRow(mapping: CompiledMapping, source: SourceRow, legacyId: string): MapResult {
  const row = isRecord(source.row) ? source.row : {};
  const context = new RowContext(legacyId, mapping.phoneRegion);
  const payload: Record<string, unknown> = {};
  mapping.assignFields(payload, row, context);
  const metadata: Record<string, unknown> = {};
  mapping.assignMetadata(metadata, row, context);
  metadata[mapping.legacyIdKey] = legacyId;
  payload.metadata = metadata;
  const wallets = mapping.wallets(source, context);
  if (wallets.length > 0) payload.wallets = wallets;
  const oauthAccounts = mapping.oauthAccounts(source, context);
  if (oauthAccounts.length > 0) payload.oauthAccounts = oauthAccounts;

  // The schema only checks (strict objects, no transforms or defaults), so the payload as built is
  // what zod would return: `validate` answers yes or no without building that copy. Only a payload
  // it refuses is parsed, for its issues.
  const valid = userPayloadSchema.validate(payload);
  const { problems, warnings } = context;
  if (valid && problems.length === 0) {
    return warnings.length > 0 ? { ok: true, legacyId, payload, warnings } : { ok: true, legacyId, payload };
  }

  const rejections = problems.map((problem) => toRejection(legacyId, problem));
  // A field the mapper already rejected (and so left out) would come back as "required": say it once.
  const rejectedFields = new Set(problems.map((problem) => problem.field));
  // reportInput: describeIssues tells a missing value ("required") from a wrong one by the input.
  const issues = valid ? [] : (userPayloadSchema.safeParse(payload, { reportInput: true }).error?.issues ?? []);
  for (const issue of issues) {
    for (const violation of violationsOf(issue, payload)) {
      if (!rejectedFields.has(violation.field)) rejections.push(toRejection(legacyId, violation));
    }
  }
  return warnings.length > 0 ? { ok: false, legacyId, rejections, warnings } : { ok: false, legacyId, rejections };
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
