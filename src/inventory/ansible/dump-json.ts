/**
 * JSON as `ansible-inventory` prints it: Python's `json.dumps(value, sort_keys=True, indent=4,
 * ensure_ascii=False)`. JSON.stringify gives the same text for strings, integers, lists and
 * indentation; what differs is the order of keys (Python sorts them by code point; a JavaScript
 * object puts integer-like keys first) and the numbers JSON has no word for (Python writes
 * `NaN`, `Infinity`, `-Infinity`). Not the same: a float with no fraction (`1.0` is read as the
 * number 1 and written `1`), exponents (`1e-07` in Python, `1e-7` here), integers past 2^53.
 */
export function dumpAnsibleJson(value: unknown): string {
  return dump(value, '');
}

/** a before b by code point, as Python compares strings (JavaScript's < compares UTF-16 units) */
export function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function dump(value: unknown, indent: string): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return JSON.stringify(value);
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // a YAML 1.1 timestamp: Python writes a date's isoformat() (`2024-01-31`)
  if (value instanceof Date) return JSON.stringify(value.toISOString().replace(/T00:00:00\.000Z$/, ''));
  // a value that says how JSON shows it (an inline vault value: {"__ansible_vault": …}, as Ansible)
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return dump(toJSON.call(value), indent);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + dump(v, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value).sort(byCodePoint);
  if (keys.length === 0) return '{}';
  const obj = value as Record<string, unknown>;
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${dump(obj[k], inner)}`).join(',\n')}\n${indent}}`;
}
