/**
 * The INI plugin's `_parse_value` (ansible-core 2.14): a value is what `ast.literal_eval` makes of
 * it (numbers, True/False, None, quoted strings, lists, dicts, tuples), else the text itself;
 * `to_text` then reads bytes as UTF-8. Given here in the JSON shape the inventory holds, as
 * `ansible-inventory --list` prints it: tuples are lists, a dict's keys are text as json.dumps
 * writes them. Literals JSON cannot hold (complex numbers, sets, Ellipsis, bytes inside a
 * structure, tuples as keys) are refused: Ansible's own `--list` fails on them.
 */
import { decodeUtf8Escaped } from './ansible-cfg-python.js';
import { LiteralProblem, literalEval, type PyLiteral } from './python-literal.js';
import { floatRepr } from './template-values.js';

/** A value Ansible reads but cnet-remote cannot hold, or one Python refuses (TypeError); the message reads after "the value of X". */
export class IniValueProblem extends Error {}

const KIND: Partial<Record<PyLiteral['t'], string>> = {
  complex: 'complex number',
  ellipsis: 'Ellipsis (...)',
  set: 'set',
  bytes: 'bytes value inside a structure',
};

/** json.dumps's text of a float key: its repr, and NaN/Infinity for the others */
const floatKey = (x: number) => (Number.isNaN(x) ? 'NaN' : !Number.isFinite(x) ? (x > 0 ? 'Infinity' : '-Infinity') : floatRepr(x));

/** A dict key's identity as Python compares keys (1 == 1.0 == True), and its text as JSON writes it. */
function keyOf(k: PyLiteral): { id: string; text: string } {
  switch (k.t) {
    case 'str':
      return { id: `s${k.v}`, text: k.v };
    case 'none':
      return { id: 'n', text: 'null' };
    case 'bool':
      return { id: `i${k.v ? 1 : 0}`, text: String(k.v) };
    case 'int':
      return { id: `i${k.v}`, text: k.v.toString() };
    case 'float':
      return { id: Number.isInteger(k.v) ? `i${BigInt(k.v)}` : `f${k.v}`, text: floatKey(k.v) };
    default:
      throw new IniValueProblem(`is a Python dict with a ${k.t} as a key, which JSON cannot hold: quote the value to keep it as text`);
  }
}

function toData(p: PyLiteral, top: boolean): unknown {
  switch (p.t) {
    case 'str':
      return p.v;
    case 'int':
      return Number(p.v);
    case 'float':
    case 'bool':
      return p.v;
    case 'none':
      return null;
    case 'tuple':
    case 'list':
      return p.items.map((x) => toData(x, false));
    case 'dict': {
      const out: Record<string, unknown> = {};
      const texts = new Map<string, string>();
      for (const [k, v] of p.entries) {
        const { id, text } = keyOf(k);
        const value = toData(v, false);
        if (!texts.has(id)) texts.set(id, text);
        const key = texts.get(id)!;
        if (key === '__proto__') throw new IniValueProblem(`is a dict with the key "__proto__", which JavaScript objects cannot hold`);
        out[key] = value;
      }
      return out;
    }
    case 'bytes':
      if (top) return decodeUtf8Escaped(Uint8Array.from(p.v)); // to_text(): the bytes read as UTF-8
      throw new IniValueProblem(`is a Python ${KIND.bytes}, which JSON cannot hold: quote the value to keep it as text`);
    default:
      throw new IniValueProblem(`is a Python ${KIND[p.t]}, which JSON cannot hold: quote the value to keep it as text`);
  }
}

/** `_parse_value(text)` in the JSON shape; throws IniValueProblem for a value cnet-remote cannot hold. */
export function parseIniValue(text: string): unknown {
  let py: PyLiteral | undefined;
  try {
    py = literalEval(text);
  } catch (err) {
    if (!(err instanceof LiteralProblem)) throw err;
    throw new IniValueProblem(`holds ${err.message}`);
  }
  return py === undefined ? text : toData(py, true);
}
