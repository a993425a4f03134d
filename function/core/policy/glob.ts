/**
 * The globs of `exempt_principals`: `*` matches any run of characters (including `/` and `:`,
 * so `arn:aws:sts::*:assumed-role/Admin/*` works), every other character is literal, matching
 * is case-sensitive and anchored at both ends. Matched without regular expressions, so a
 * pattern full of stars cannot make matching blow up (O(pattern × text) at worst).
 */

export interface Glob {
  /** The pattern as written. */
  readonly pattern: string;
  readonly matches: (text: string) => boolean;
}

export function compileGlob(pattern: string): Glob {
  // Split on stars once: literal segments between them are matched with indexOf.
  const segments = pattern.split('*');
  if (segments.length === 1) return { pattern, matches: (text) => text === pattern };
  const first = segments[0] ?? '';
  const last = segments[segments.length - 1] ?? '';
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  const minLength = first.length + last.length + middle.reduce((sum, segment) => sum + segment.length, 0);
  return {
    pattern,
    matches(text: string): boolean {
      if (text.length < minLength || !text.startsWith(first) || !text.endsWith(last)) return false;
      // Leftmost placement of each middle segment is optimal for anchored star globs.
      let position = first.length;
      const end = text.length - last.length;
      for (const segment of middle) {
        const found = text.indexOf(segment, position);
        if (found < 0 || found + segment.length > end) return false;
        position = found + segment.length;
      }
      return true;
    },
  };
}
