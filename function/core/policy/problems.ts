/**
 * zod issues turned into problems that name the JSON path, in terms a policy author reads:
 * `ingress.allow[2].ports[0]: port 70000 is outside 0-65535`, and for a typo of a key the key
 * it was probably meant to be.
 */
import type { z } from 'zod';
import { DIRECTION_KEYS, DOCUMENT_KEYS, ENTRY_KEYS } from './policy-document.schema';

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const problems: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(issue.path);
      for (const key of issue.keys) {
        const hint = closest(key, known);
        problems.push(
          `${formatPath([...issue.path, key])}: unknown key${hint ? `; did you mean "${hint}"?` : ''} (allowed: ${known.join(', ')})`,
        );
      }
    } else {
      problems.push(`${formatPath(issue.path)}: ${issueMessage(issue)}`);
    }
  }
  return problems;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  // Messages set on the schema win; zod's generic invalid_type text is replaced by a JSON one.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    return `expected ${withArticle(issue.expected)}, got ${jsonTypeOf(issue.input)}`;
  }
  return issue.message;
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return DOCUMENT_KEYS;
  if (path.length === 1) return DIRECTION_KEYS;
  return ENTRY_KEYS;
}

/** `ingress.allow[2].ports[0]`; `policy` for the document itself. */
function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text === '' ? 'policy' : text;
}

/** The known key within edit distance 2 of a typo, or that it abbreviates (`prot`), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  const typo = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = typo.length >= 3 && candidate.startsWith(typo) ? 1 : editDistance(typo, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transposition: `mdoe` → `mode` is 1). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [];
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const previous = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(distance);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}
