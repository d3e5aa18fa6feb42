/**
 * The closest of `candidates` to a misspelt `name` ("emial" → "email"), or undefined when none is
 * close: at most a third of the name's length in edits (at least 1, at most 3), or one name
 * containing the other (`created` → `created_at`); ties broken by candidate order. Case
 * differences count as no edit.
 */
export function suggestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const contained = Math.min(wanted.length, other.length) >= 4 && (other.includes(wanted) || wanted.includes(other));
    // Containment ranks after every true near-miss.
    const distance = Math.min(editDistance(wanted, other), contained ? limit + 0.5 : Number.POSITIVE_INFINITY);
    if (distance <= limit + 0.5 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Damerau-Levenshtein (optimal string alignment): a swap of two neighbours is one edit. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = value;
    }
  }
  return at(rows - 1, cols - 1);
}
