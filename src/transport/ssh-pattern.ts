/**
 * OpenSSH's pattern matching (match.c), as used by `Host` and `Match` in ssh_config:
 * `*` matches any run of characters (none included), `?` exactly one; nothing else is special.
 */

const cache = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
    re = new RegExp(`^${body}$`, 's');
    cache.set(pattern, re);
  }
  return re;
}

/** One pattern (no commas, no negation) against the whole text; case-sensitive like OpenSSH. */
export function matchPattern(text: string, pattern: string): boolean {
  return toRegExp(pattern).test(text);
}

/**
 * A comma-separated pattern list with `!negation` (OpenSSH `match_pattern_list`):
 * 1 when some positive entry matches and no negated one does, -1 when a negated entry matches,
 * 0 otherwise. `lowercasePatterns` lowercases the patterns (not the text), as `match_hostname` does.
 */
export function matchPatternList(text: string, list: string, lowercasePatterns = false): 1 | 0 | -1 {
  let positive = false;
  for (const entry of list.split(',')) {
    const negated = entry.startsWith('!');
    let pattern = negated ? entry.slice(1) : entry;
    if (lowercasePatterns) pattern = pattern.toLowerCase();
    if (matchPattern(text, pattern)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}
