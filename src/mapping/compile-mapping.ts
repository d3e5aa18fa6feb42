import type { z } from 'zod';
import { describeIssues, userPayloadSchema } from '../contract/index.js';
import type { UserPayload } from '../contract/index.js';
import { hasSignInMethod } from '../contract/sign-in.js';
import { coerceError } from '../errors.js';
import { compileOauthRules } from './compile-oauth-rules.js';
import { compileRelated } from './compile-related.js';
import type { RelatedBuilder } from './compile-related.js';
import type { OauthAccountsBuilder } from './compile-oauth-rules.js';
import { compileWalletRules } from './compile-wallet-rules.js';
import type { WalletsBuilder } from './compile-wallet-rules.js';
import { compileValueSource, compileAssigner } from './compile-value-source.js';
import type { Assigner, NamedValue } from './compile-value-source.js';
import type { MappingSpec } from './mapping-spec.js';
import { maskValue } from '../shared/mask.js';
import { isRecord } from './records-for.js';
import { compileInvalidPolicy, dropTargetOf, dropTargets } from './invalid-policy.js';
import type { DropTarget, InvalidPolicy } from './invalid-policy.js';
import type { MapResult, MapWarning, Rejection } from './rejection.js';
import { RowContext } from './row-context.js';
import type { FieldProblem } from './row-context.js';
import type { SourceRow } from './source-row.js';
import type { ValueSource } from './value-source.js';

/** A compiled mapping: one source row in, its payload or its rejections out; never throws. */
export type RowMapper = (source: SourceRow) => MapResult;

/**
 * Compiles a parsed mapping into a row mapper: pure but for one thing, the records of the
 * mapping's lookups and picks, which it adds to the user row under their names (see
 * compileRelated), so a row is mapped by one mapping only. Each row gives a payload validated against
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
  related: RelatedBuilder;
  assignFields: Assigner;
  assignMetadata: Assigner;
  legacyIdKey: string;
  wallets: WalletsBuilder;
  oauthAccounts: OauthAccountsBuilder;
  phoneRegion: string | undefined;
  policy: InvalidPolicy;
}

function compileSpec(spec: MappingSpec): CompiledMapping {
  return {
    related: compileRelated(spec),
    assignFields: compileAssigner(compileNamed(spec.fields ?? {}, '')),
    assignMetadata: compileAssigner(compileNamed(spec.metadata ?? {}, 'metadata.')),
    legacyIdKey: spec.legacyIdKey,
    wallets: compileWalletRules(spec.wallets ?? [], { checksumEvm: spec.options?.checksumEvmAddresses === true }),
    oauthAccounts: compileOauthRules(spec.oauthAccounts ?? []),
    phoneRegion: spec.options?.phoneRegion,
    policy: compileInvalidPolicy(spec),
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
  // Lookups and picks read like columns of the user row (`profile.bio`), so they join it.
  mapping.related(source, row);
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
  for (const field of mapping.policy.required) requireValue(payload, field, context);

  // The schema only checks (strict objects, no transforms or defaults), so the payload as built is
  // what zod would return: `validate` answers yes or no without building that copy. Only a payload
  // it refuses is parsed, for its issues.
  const { problems, warnings } = context;
  const extra = warnings.length > 0 ? { warnings } : {};
  if (problems.length === 0 && userPayloadSchema.validate(payload)) return signInOrReject(payload, legacyId, [], extra);

  const failures = failuresOf(problems, payload);
  const targets = failures.map((failure) => dropTargetOf(failure.field, failure.rule, mapping.policy, context.itemRules));
  const dropped = failures.map((failure) => toRejection(legacyId, failure));
  if (targets.every((target) => target !== undefined)) {
    dropTargets(payload, targets as DropTarget[]);
    // Leaving values out cannot break another rule; checked all the same, a payload that is still refused is rejected.
    const after = userPayloadSchema.validate(payload) ? [] : failuresOf([], payload);
    if (after.length === 0) return signInOrReject(payload, legacyId, dropped, extra);
    return { ok: false, legacyId, rejections: [...dropped, ...after.map((failure) => toRejection(legacyId, failure))], ...extra };
  }
  // Only what keeps the user back is a reason: a value that would have been dropped is not (it shows once the reason is fixed).
  const rejections = dropped.filter((_, index) => targets[index] === undefined);
  return { ok: false, legacyId, rejections, ...extra };
}

/** Every failure of the payload: the mapper's problems, then the contract's violations of fields the mapper did not already reject. */
function failuresOf(problems: readonly FieldProblem[], payload: Record<string, unknown>): FieldProblem[] {
  const failures = [...problems];
  // A field the mapper already rejected (and so left out) would come back as "required": say it once.
  const rejectedFields = new Set(problems.map((problem) => problem.field));
  // reportInput: describeIssues tells a missing value ("required") from a wrong one by the input.
  const issues = userPayloadSchema.safeParse(payload, { reportInput: true }).error?.issues ?? [];
  for (const issue of issues) {
    for (const violation of violationsOf(issue, payload)) if (!rejectedFields.has(violation.field)) failures.push(violation);
  }
  return failures;
}

/** A `required: true` field or metadata key without a value (and no problem of its own already) is a problem. */
function requireValue(payload: Record<string, unknown>, field: string, context: RowContext): void {
  const value = field.startsWith('metadata.') ? (payload.metadata as Record<string, unknown>)[field.slice('metadata.'.length)] : payload[field];
  if (value !== undefined || context.problems.some((problem) => problem.field === field)) return;
  context.problems.push({ field, rule: 'required', message: 'has no value, and the mapping marks it required' });
}

/**
 * The user as mapped, unless nothing is left to sign in with: Dynamic refuses a user without an
 * email, a phone number, a wallet or an OAuth account (`missing_phone_number_or_email`), so it is
 * rejected here, never sent, with the values that were dropped on the way.
 */
function signInOrReject(payload: Record<string, unknown>, legacyId: string, dropped: Rejection[], extra: { warnings?: MapWarning[] }): MapResult {
  if (hasSignInMethod(payload as UserPayload)) {
    return dropped.length > 0 ? { ok: true, legacyId, payload: payload as UserPayload, dropped, ...extra } : { ok: true, legacyId, payload: payload as UserPayload, ...extra };
  }
  const noSignIn: Rejection = {
    legacyId,
    field: '(user)',
    rule: 'no_sign_in_method',
    message: 'has no email, phone number, wallet or OAuth account to sign in with (Dynamic refuses it: missing_phone_number_or_email)',
  };
  return { ok: false, legacyId, rejections: [noSignIn, ...dropped], ...extra };
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
