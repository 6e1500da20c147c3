import { familyOfText } from '../address/family.js';
import type { ProbeResult } from '../result/result.js';
import { escapeHtml as e, formatLatency, shortCause } from './html-text.js';

export interface Column {
  key: string;
  label: string;
  sub: string;
  kind: 'namespace' | 'gateway' | 'upstream' | 'fabric';
}

/** A probe over IPv6 has columns of its own (`namespace6:a` beside `namespace:a`): its target's family. */
const ipv6 = (p: ProbeResult): boolean => familyOfText(p.target).name === 'ipv6';

const columnKey = (p: ProbeResult): string => {
  const six = ipv6(p) ? '6' : '';
  if (p.kind === 'gateway') return `gateway${six}:${p.to}`;
  if (p.kind === 'upstream') return `upstream${six}:${p.target}`;
  return p.kind === 'fabric' ? `fabric${six}:${p.to}` : `namespace${six}:${p.to}`;
};

/** The probe matrix: rows = where a ping starts (namespaces, then the host), columns = targets
 * (namespaces, gateways, upstream), in the order the probes name them; a target probed over IPv4
 * and IPv6 has a column for each, side by side, IPv4's first. */
export function probeMatrix(probes: ProbeResult[]): { rows: string[]; columns: Column[]; cell: (row: string, col: string) => ProbeResult | undefined } {
  const namespaces: string[] = [];
  const addNs = (n: string): void => {
    if (n !== 'host' && !namespaces.includes(n)) namespaces.push(n);
  };
  for (const p of probes) {
    addNs(p.from);
    if (p.kind === 'peer' || p.kind === 'host') addNs(p.to);
  }
  const cols = new Map<string, Column>();
  const six = new Set<string>();
  for (const p of probes) {
    const key = columnKey(p);
    if (cols.has(key)) continue;
    if (ipv6(p)) six.add(key);
    if (p.kind === 'gateway') cols.set(key, { key, label: p.to, sub: `gateway ${p.target}`, kind: 'gateway' });
    else if (p.kind === 'upstream') cols.set(key, { key, label: p.to, sub: p.target, kind: 'upstream' });
    else if (p.kind === 'fabric') cols.set(key, { key, label: p.to, sub: p.target, kind: 'fabric' });
    else cols.set(key, { key, label: p.to, sub: p.target, kind: 'namespace' });
  }
  const rank = { namespace: 0, gateway: 1, upstream: 2, fabric: 3 } as const;
  const nsIndex = (c: Column): number => (c.kind === 'namespace' ? namespaces.indexOf(c.label) : 0);
  const order = [...cols.values()].map((c, i) => ({ c, i }));
  // a target's columns together: where its label first appears among its kind's, then IPv4's before IPv6's
  const first = new Map<string, number>();
  for (const { c, i } of order) if (!first.has(`${c.kind} ${c.label}`)) first.set(`${c.kind} ${c.label}`, i);
  const firstOf = (c: Column): number => first.get(`${c.kind} ${c.label}`)!;
  const family = (c: Column): number => (six.has(c.key) ? 1 : 0);
  order.sort((a, b) => rank[a.c.kind] - rank[b.c.kind] || nsIndex(a.c) - nsIndex(b.c) || firstOf(a.c) - firstOf(b.c) || family(a.c) - family(b.c) || a.i - b.i);
  const columns = order.map((x) => x.c);
  const rows = [...namespaces.filter((n) => probes.some((p) => p.from === n)), ...(probes.some((p) => p.from === 'host') ? ['host'] : [])];
  const cells = new Map<string, ProbeResult>();
  for (const p of probes) {
    const k = `${p.from}\u0000${columnKey(p)}`;
    const had = cells.get(k);
    // two probes in one cell (should not happen): the failed one shows
    if (!had || (had.ok && !p.ok)) cells.set(k, p);
  }
  return { rows, columns, cell: (row, col) => cells.get(`${row}\u0000${col}`) };
}

/** The matrix with its heading as the summary of a <details>: open where a probe failed or the host
 * needs reading (`open`), closed (a one-line summary) for a healthy host. */
export function matrixHtml(probes: ProbeResult[], open: boolean): string {
  if (probes.length === 0) return '';
  const { rows, columns, cell } = probeMatrix(probes);
  const failed = probes.filter((p) => !p.ok).length;
  const out: string[] = [];
  out.push(
    `<details class="probe-box"${open ? ' open' : ''}><summary><h3>Probes <span class="count">${probes.length - failed} of ${probes.length} answered</span></h3></summary>`,
  );
  out.push('<div class="scroll"><table class="matrix">');
  out.push('<thead><tr><th class="corner" scope="col">from \\ to</th>');
  for (const c of columns) out.push(`<th scope="col" class="col-${c.kind}">${e(c.label)}<small>${e(c.sub)}</small></th>`);
  out.push('</tr></thead><tbody>');
  for (const r of rows) {
    out.push(`<tr><th scope="row">${r === 'host' ? 'host <small>root namespace</small>' : e(r)}</th>`);
    for (const c of columns) {
      const p = cell(r, c.key);
      if (!p) {
        out.push('<td class="none" title="not probed">·</td>');
      } else if (p.ok) {
        const lat = formatLatency(p.latencyMs);
        const title = `${p.kind}: ${p.from} → ${p.to} (${p.target}) answered${lat ? ` in ${lat}` : ''}`;
        out.push(`<td class="pass" title="${e(title)}"><span class="mark">✓</span> ${e(lat)}</td>`);
      } else {
        const cause = p.cause ?? 'no reply';
        const title = `${p.kind}: ${p.from} → ${p.to} (${p.target}) failed: ${cause}`;
        out.push(`<td class="fail" title="${e(title)}"><span class="mark">✗</span> ${e(shortCause(cause))}</td>`);
      }
    }
    out.push('</tr>');
  }
  out.push('</tbody></table></div>');
  const failures = probes.filter((p) => !p.ok);
  if (failures.length > 0) {
    out.push('<ul class="causes">');
    for (const p of failures) {
      out.push(`<li><span class="mark bad">✗</span> <b>${e(`${p.from} → ${p.to} (${p.target})`)}</b>: ${e(p.cause ?? 'no reply')}</li>`);
    }
    out.push('</ul>');
  }
  out.push('</details>');
  return out.join('\n');
}
