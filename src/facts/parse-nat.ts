/** Splits one `iptables -S` line into words, honouring the double quotes iptables puts around comments. */
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

/** `iptables -t nat -S POSTROUTING` → the rules' words after `-A POSTROUTING`. */
export function parseNatRules(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('-A POSTROUTING '))
    .map((l) => tokenizeRule(l).slice(2));
}
