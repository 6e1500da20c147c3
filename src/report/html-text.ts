import { xmlSafe } from './xml-text.js';

/** Escaped for HTML text and quoted attributes; control characters dropped or replaced. */
export function escapeHtml(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A probe's failure cause, short enough for a matrix cell: its first clause, at most 30 characters. */
export function shortCause(cause: string | undefined): string {
  const text = xmlSafe(cause ?? 'no reply')
    .replace(/\s+/g, ' ')
    .trim();
  const first = text.split(/: |; /)[0] ?? text;
  return first.length > 30 ? `${first.slice(0, 29).trimEnd()}…` : first;
}

export function formatLatency(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

export const secondsText = (ms: number): string => `${(Math.max(0, ms) / 1000).toFixed(2)} s`;
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
