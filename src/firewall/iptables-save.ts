/** Splits one `iptables-save` rule line into words, honouring the double quotes iptables puts around comments. */
export function tokenizeRule(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** One chain of `iptables-save` output: its policy (built-in chains) and its rules' words after `-A CHAIN`. */
export interface SavedChain {
  policy?: string;
  rules: string[][];
}

/** Whether a rule line ends inside a quoted word, given whether it started in one (tokenizeRule's quoting). */
function endsQuoted(line: string, quoted: boolean): boolean {
  for (let i = 0; i < line.length; i++) {
    if (quoted && line[i] === '\\') i++;
    else if (line[i] === '"') quoted = !quoted;
  }
  return quoted;
}

/**
 * `iptables-save` → "table chain" → the chain. Comments, COMMIT and warnings are skipped. A rule
 * whose comment holds a newline (iptables-save prints it as it is) goes on until its quote ends:
 * the next line is the comment's, never a rule of its own.
 */
export function parseIptablesSave(text: string): Map<string, SavedChain> {
  const out = new Map<string, SavedChain>();
  const chain = (key: string): SavedChain => out.get(key) ?? out.set(key, { rules: [] }).get(key)!;
  let table = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    for (let quoted = line.startsWith('-A ') && endsQuoted(line, false); quoted && i + 1 < lines.length; ) {
      quoted = endsQuoted(lines[++i]!, true);
      line += `\n${lines[i]}`;
    }
    if (line.startsWith('*')) table = line.slice(1).trim();
    else if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(/\s+/);
      if (name) Object.assign(chain(`${table} ${name}`), policy && policy !== '-' ? { policy } : {});
    } else if (line.startsWith('-A ')) {
      const words = tokenizeRule(line);
      if (words[1]) chain(`${table} ${words[1]}`).rules.push(words.slice(2));
    }
  }
  return out;
}

/** The nat table's POSTROUTING rules. */
export function natRules(saved: Map<string, SavedChain>): string[][] {
  return saved.get('nat POSTROUTING')?.rules ?? [];
}

/** The filter table's FORWARD chain: its policy (ACCEPT when the table does not exist yet) and rules. */
export function forwardChain(saved: Map<string, SavedChain>): { policy: string; rules: string[][] } {
  const c = saved.get('filter FORWARD');
  return { policy: c?.policy ?? 'ACCEPT', rules: c?.rules ?? [] };
}
