import type { ScalarTag } from 'yaml';

/**
 * Plain scalars as PyYAML's YAML 1.1 resolver (yaml/resolver.py) types them, which is how
 * Ansible reads every YAML file: the yaml library's own 1.1 schema differs at the edges (it takes
 * `y`/`n` as booleans, `1e3` and `e1` as numbers, `08` as 8), and a namespace named `e0` must not
 * become NaN. Text that matches none of these stays a string.
 */
const BOOL = 'tag:yaml.org,2002:bool';
const INT = 'tag:yaml.org,2002:int';
const FLOAT = 'tag:yaml.org,2002:float';
const TIMESTAMP = 'tag:yaml.org,2002:timestamp';
export const PYYAML_REPLACED = new Set([BOOL, INT, FLOAT, TIMESTAMP]);

/** base 60: `1:20` is 80, `1:20:30.5` is 4830.5 */
function sexagesimal(text: string): number {
  return text.split(':').reduce((n, part) => n * 60 + Number(part), 0);
}

function signed(text: string, magnitude: (digits: string) => number): number {
  const sign = text.startsWith('-') ? -1 : 1;
  return sign * magnitude(text.replace(/^[-+]/, ''));
}

function parseInt11(raw: string): number {
  const text = raw.replace(/_/g, '');
  return signed(text, (d) => {
    if (d.startsWith('0b')) return Number.parseInt(d.slice(2), 2);
    if (d.startsWith('0x')) return Number.parseInt(d.slice(2), 16);
    if (d.includes(':')) return sexagesimal(d);
    if (d.length > 1 && d.startsWith('0')) return Number.parseInt(d, 8);
    return Number.parseInt(d, 10);
  });
}

function parseFloat11(raw: string): number {
  const text = raw.replace(/_/g, '');
  if (/^\.nan$/i.test(text)) return Number.NaN;
  return signed(text, (d) => (/^\.inf$/i.test(d) ? Number.POSITIVE_INFINITY : d.includes(':') ? sexagesimal(d) : Number(d)));
}

export const PYYAML_SCALARS: ScalarTag[] = [
  { tag: BOOL, default: true, test: /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/, resolve: () => true },
  { tag: BOOL, default: true, test: /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/, resolve: () => false },
  {
    tag: INT,
    default: true,
    test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    resolve: parseInt11,
  },
  {
    tag: FLOAT,
    default: true,
    test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    resolve: parseFloat11,
  },
  // a date or a time stamp: PyYAML makes a datetime; kept as written (a date prints the same in ansible-inventory's JSON, a time stamp may be spelled otherwise there)
  {
    tag: TIMESTAMP,
    default: true,
    test: /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
    resolve: (text: string) => text,
  },
];
