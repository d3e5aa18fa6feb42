import type { DuplicateKind } from './duplicate-keys.js';

/**
 * Shows a normalised identity without disclosing it, for reports and rejections: each part is cut
 * to its first and last character (`jane.doe@example.com` → `j…e@e…m`, a wallet → `EVM:0…f`, an
 * OAuth account → `google:1…9`). The chain and the provider are not personal data and stay.
 */
export function maskIdentity(kind: DuplicateKind, normalised: string): string {
  switch (kind) {
    case 'email': {
      const at = normalised.lastIndexOf('@');
      return at < 0 ? maskPart(normalised) : `${maskPart(normalised.slice(0, at))}@${maskPart(normalised.slice(at + 1))}`;
    }
    case 'username':
      return maskPart(normalised);
    case 'wallet':
    case 'oauth': {
      const colon = normalised.indexOf(':');
      return `${normalised.slice(0, colon + 1)}${maskPart(normalised.slice(colon + 1))}`;
    }
  }
}

/** First and last code point; short values show less, since they would show all of themselves. */
function maskPart(text: string): string {
  const chars = [...text];
  if (chars.length <= 2) return '…';
  if (chars.length <= 4) return `${chars[0]}…`;
  return `${chars[0]}…${chars[chars.length - 1]}`;
}
