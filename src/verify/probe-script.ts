import { splitSections } from '../remote/markers.js';
import { parseJsonStream } from '../facts/json-stream.js';
import { quoteArgv, quoteWord } from '../shell/quote.js';
import type { PlannedProbe } from './probe-plan.js';

/**
 * All probes of a host in one round trip, in parallel: each pings once (and once more if that is
 * lost), and on failure records the neighbour table of the namespace it ran in, for diagnosis.
 */
export function probeScript(probes: PlannedProbe[]): string {
  if (probes.length === 0) return '';
  // each probe writes only into a folder of its own: none, no probes (a failed mktemp must not make "$d/0" /0)
  const lines = ['d=$(mktemp -d) && [ -n "$d" ] && [ -d "$d" ] || { printf \'@@probes-end\\n\'; d=; }', 'if [ -n "$d" ]; then'];
  probes.forEach((p, i) => {
    const ns = p.netns ? ['ip', 'netns', 'exec', p.netns] : [];
    const ping = quoteArgv([...ns, 'ping', '-n', '-q', '-c', '1', '-W', '1', p.target]);
    const neigh = quoteArgv(['ip', ...(p.netns ? ['-n', p.netns] : []), '-j', 'neigh', 'show']);
    lines.push(`( if ${ping} || ${ping}; then echo @ok; else echo @fail; ${neigh}; fi ) > "$d/${i}" 2>&1 &`);
  });
  lines.push('wait');
  for (const i of probes.keys()) lines.push(`printf '%s\\n' ${quoteWord(`@@probe ${i}`)}; while IFS= read -r l; do printf '%s\\n' "$l"; done < "$d/${i}"`);
  lines.push('rm -rf "$d"', `printf '%s\\n' '@@probes-end'`, 'fi');
  return `${lines.join('\n')}\n`;
}

export interface ProbeOutcome {
  ok: boolean;
  latencyMs?: number;
  /** neighbour entries (IP → state) seen after a failed probe */
  neighbours: Map<string, string>;
}

/** Reads the output of probeScript(); a probe with no output failed (e.g. the connection dropped). */
export function parseProbeOutput(text: string, count: number): ProbeOutcome[] {
  const sections = splitSections(text);
  return Array.from({ length: count }, (_, i) => {
    const body = sections.get(`probe ${i}`) ?? '';
    const ok = body.split('\n').includes('@ok');
    const rtt = /rtt min\/avg\/max\/mdev = [\d.]+\/([\d.]+)\//.exec(body);
    const neighbours = new Map<string, string>();
    const json = body.slice(body.indexOf('['));
    if (!ok && body.includes('[')) {
      try {
        for (const v of parseJsonStream(json)) {
          for (const n of v as { dst?: string; state?: string[] }[]) if (n.dst) neighbours.set(n.dst, (n.state ?? []).join(','));
        }
      } catch {
        /* no neighbour table: diagnosis goes without it */
      }
    }
    return { ok, ...(ok && rtt ? { latencyMs: Number(rtt[1]) } : {}), neighbours };
  });
}
