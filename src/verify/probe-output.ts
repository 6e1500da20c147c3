import { parseJsonStream } from '../remote/json-stream.js';
import { splitSections } from '../remote/markers.js';

export interface ProbeOutcome {
  ok: boolean;
  latencyMs?: number;
  /** neighbour entries (IP → state) seen after a failed probe */
  neighbours: Map<string, string>;
}

/** Reads the output of the probe program (remote/probe.ts); a probe with no output failed (e.g. the connection dropped). */
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
