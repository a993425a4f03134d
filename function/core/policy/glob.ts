/**
 * The globs of `exempt_principals`: `*` matches any run of characters except `:` and `/` (so it
 * stands for one ARN field or one path segment), `**` matches any run at all, every other
 * character is literal. Matching is case-sensitive and anchored at both ends. So
 * `arn:aws:iam::*:role/terraform-deployer` cannot match a user whose path spells
 * `…:user/:role/terraform-deployer`: the star would have to cross `:` and `/`.
 *
 * Matched without regular expressions, in O(pattern × text) at worst, so a pattern full of
 * stars cannot make matching blow up.
 */

export interface Glob {
  /** The pattern as written. */
  readonly pattern: string;
  readonly matches: (text: string) => boolean;
}

type Token = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'star' } | { readonly kind: 'globstar' };

/** What a single `*` never crosses. */
function isSeparator(char: string | undefined): boolean {
  return char === ':' || char === '/';
}

function tokens(pattern: string): Token[] {
  const out: Token[] = [];
  for (const part of pattern.split(/(\*+)/)) {
    if (part === '') continue;
    if (part === '*') out.push({ kind: 'star' });
    else if (part.startsWith('*')) out.push({ kind: 'globstar' });
    else out.push({ kind: 'literal', text: part });
  }
  return out;
}

export function compileGlob(pattern: string): Glob {
  const compiled = tokens(pattern);
  if (compiled.every((token) => token.kind === 'literal')) return { pattern, matches: (text) => text === pattern };
  return {
    pattern,
    matches(text: string): boolean {
      // reach[j]: the tokens so far can match exactly text[0..j).
      let reach = new Uint8Array(text.length + 1);
      reach[0] = 1;
      for (const token of compiled) {
        const next = new Uint8Array(text.length + 1);
        let open = false;
        for (let j = 0; j <= text.length; j++) {
          if (token.kind === 'literal') {
            if (reach[j] === 1 && text.startsWith(token.text, j)) next[j + token.text.length] = 1;
            continue;
          }
          // A star ends where it started or anywhere after, stopping before a separator unless it is `**`.
          if (reach[j] === 1) open = true;
          if (open) next[j] = 1;
          if (token.kind === 'star' && isSeparator(text[j])) open = false;
        }
        reach = next;
      }
      return reach[text.length] === 1;
    },
  };
}
