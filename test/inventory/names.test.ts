import { describe, expect, it } from 'vitest';
import { checkInterfaceName, checkNamespaceName, IFNAME_MAX, NSNAME_MAX } from '../../src/inventory/names.js';

describe('checkInterfaceName', () => {
  it.each(['eth0', 'veth1', 'br0', 'bread-pb-veth', 've-web', 'a.b_c-d', '0abc', '_x', 'x'.repeat(15)])('%s is allowed', (name) => {
    expect(checkInterfaceName(name)).toBeUndefined();
  });

  it("limits are the kernel's", () => {
    expect(IFNAME_MAX).toBe(15);
    expect(NSNAME_MAX).toBe(64);
  });

  it('16 bytes are too many', () => {
    expect(checkInterfaceName('abcdefghijklmnop')).toBe('interface name "abcdefghijklmnop" is 16 bytes long: at most 15');
    expect(checkInterfaceName('x'.repeat(40))).toContain('is 40 bytes long: at most 15');
  });

  it.each([
    ['a;b'],
    ['$(reboot)'],
    ['`id`'],
    ["it's"],
    ['say"hi"'],
    ['a b'],
    ['a\tb'],
    ['a\nb'],
    ['veth0\n'],
    ['a|b'],
    ['a&b'],
    ['a>b'],
    ['a/b'],
    ['a*'],
    ['a\\b'],
    ['-veth'],
    ['.veth'],
    ['vé'],
    ['veth☃'],
    ['ｖｅｔｈ'],
  ])('%j is refused', (name) => {
    expect(checkInterfaceName(name)).toBe(
      `interface name ${JSON.stringify(name)} is not allowed: use letters, digits, '_', '.', '-', not starting with '-' or '.'`,
    );
  });

  it('empty', () => {
    expect(checkInterfaceName('')).toBe('interface name is empty');
  });

  it.each(['lo', 'all', 'default'])('%s is reserved', (name) => {
    expect(checkInterfaceName(name)).toBe(`interface name "${name}" is reserved by the kernel`);
  });
});

describe('checkNamespaceName', () => {
  it('64 bytes are allowed, 65 are not', () => {
    expect(checkNamespaceName('n'.repeat(64))).toBeUndefined();
    expect(checkNamespaceName('n'.repeat(65))).toBe(`namespace name "${'n'.repeat(65)}" is 65 bytes long: at most 64`);
  });

  it('names longer than an interface name are fine', () => {
    expect(checkNamespaceName('container-with-a-long-name')).toBeUndefined();
    expect(checkNamespaceName('container1')).toBeUndefined();
  });

  it.each(['a;b', '$(x)', 'a b', 'a\nb', '-n', '.n', '../etc', 'café'])('%j is refused', (name) => {
    expect(checkNamespaceName(name)).toContain(`namespace name ${JSON.stringify(name)} is not allowed`);
  });

  it('empty', () => {
    expect(checkNamespaceName('')).toBe('namespace name is empty');
  });
});
