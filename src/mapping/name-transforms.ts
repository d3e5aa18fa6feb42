import { NAME_PATTERN, USERNAME_MAX_CHARS as USERNAME_MAX, USERNAME_MIN_CHARS as USERNAME_MIN } from '../contract/patterns.js';
import type { TransformContext } from './transforms.js';

/** A character USERNAME_PATTERN allows. */
const USERNAME_CHAR = /^[\p{L}\p{N}_-]$/u;

/**
 * Whether the API's name pattern allows this character inside a name. Asked of NAME_PATTERN itself
 * (between two letters), so this stays right if the contract's character class changes.
 */
function allowedInName(char: string): boolean {
  return NAME_PATTERN.test(`a${char}a`);
}

/** Cuts text to `length` code points (an emoji is never split), with a `truncated` warning when it cuts. */
export function truncate(value: string, length: number, context: TransformContext): string {
  const chars = [...value];
  if (chars.length <= length) return value;
  context.warn?.('truncated', `cut from ${chars.length} to ${length} characters`);
  return chars.slice(0, length).join('');
}

function words(value: string): string[] {
  return value.trim().split(/\s+/u).filter((word) => word !== '');
}

/** "Mary Ann Smith" → "Mary Ann"; one word is all first name; blank → null. */
export function firstName(value: string): string | null {
  const parts = words(value);
  if (parts.length === 0) return null;
  return parts.length === 1 ? (parts[0] ?? null) : parts.slice(0, -1).join(' ');
}

/** "Mary Ann Smith" → "Smith"; one word has no last name (null). */
export function lastName(value: string): string | null {
  const parts = words(value);
  return parts.length < 2 ? null : (parts[parts.length - 1] ?? null);
}

/**
 * Removes the characters the API's name pattern forbids (emoji, control characters, symbols),
 * collapses the runs of spaces that leaves and trims; a `stripped` warning counts what went.
 * Text is NFC-normalised first, so a decomposed "é" stays one letter. Nothing left → null.
 */
export function stripForbidden(value: string, context: TransformContext): string | null {
  const chars = [...value.normalize('NFC')];
  const kept = chars.filter(allowedInName);
  const removed = chars.length - kept.length;
  if (removed > 0) context.warn?.('stripped', `removed ${removed} ${removed === 1 ? 'character' : 'characters'}`);
  const result = kept.join('').replace(/ {2,}/g, ' ').trim();
  return result === '' ? null : result;
}

/**
 * Makes text fit the API's username rule: spaces and dots become `_`, other forbidden characters
 * go, and it is cut to 20 characters. Warns `slugified` when that changed it; shorter than 3
 * afterwards is null with a `username_unusable` warning (the user is migrated without a username).
 */
export function slugUsername(value: string, context: TransformContext): string | null {
  const input = value.trim();
  if (input === '') return null;
  const chars = [...input.normalize('NFC')]
    .map((char) => (/^[\s.]$/u.test(char) ? '_' : char))
    .filter((char) => USERNAME_CHAR.test(char))
    .slice(0, USERNAME_MAX);
  if (chars.length < USERNAME_MIN) {
    context.warn?.('username_unusable', `fewer than ${USERNAME_MIN} usable characters remain, so no username is sent`);
    return null;
  }
  const slug = chars.join('');
  if (slug !== value) context.warn?.('slugified', 'changed to fit the username rule (letters, digits, _ and -, 3-20 characters)');
  return slug;
}
