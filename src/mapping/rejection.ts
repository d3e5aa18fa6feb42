import type { UserPayload } from '../contract/index.js';

/** Why one legacy row will not be sent: one per broken rule. Written to the rejects file. */
export interface Rejection {
  /** The row's primary key, as text. */
  legacyId: string;
  /** Payload path the problem is about: `email`, `wallets[1].chain`, `metadata.plan`. */
  field: string;
  /** Stable rule name: the contract's (`pattern`, `enum`, `required`, ...) or the mapper's (`transform`, `value_map`, `missing_column`, `type`, `internal`). */
  rule: string;
  message: string;
  /** The offending value, masked by `maskValue`: personal data never lands in a rejects file in clear. */
  value?: string;
}

/**
 * A value changed to fit the API but still sent (cut, cleaned, slugified), or left out because
 * nothing usable remained. Carries no value: the value may be personal data. Counted per
 * field + rule in the run's summary.
 */
export interface MapWarning {
  legacyId: string;
  /** Payload path, as in a rejection: `firstName`, `wallets[0].walletName`. */
  field: string;
  /** `truncated`, `stripped`, `slugified` or `username_unusable`. */
  rule: string;
  message: string;
}

/** A field path with its list indexes folded, as reasons are grouped and counted: `wallets[1].chain` → `wallets[*].chain`. */
export function foldIndexes(field: string): string {
  return field.includes('[') ? field.replace(/\[\d+\]/g, '[*]') : field;
}

/**
 * A value left out so that its user could still be sent (`onInvalid: 'drop'`): the field, the one
 * wallet or OAuth account, or the part. Shaped as a rejection (the rule it broke, its value
 * masked); reported in a section of its own.
 */
export type DroppedValue = Rejection;

/** What the compiled mapper makes of one source row: a payload already valid against the contract, or the reasons it is not. */
export type MapResult =
  | { ok: true; legacyId: string; payload: UserPayload; warnings?: MapWarning[]; dropped?: DroppedValue[] }
  | { ok: false; legacyId: string; rejections: Rejection[]; warnings?: MapWarning[] };
