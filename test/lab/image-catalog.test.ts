import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { debootstrapArgv, IMAGE_NAMES, IMAGES, imageDir, imageOf, parseVersions, recipeId } from '../../src/lab/lab-images.js';

describe('lab images', () => {
  it('are debian12 (bookworm), debian13 and debian13-nft (trixie), the -nft one without iptables', () => {
    expect(IMAGE_NAMES).toEqual(['debian12', 'debian13', 'debian13-nft']);
    expect(IMAGE_NAMES.map((n) => IMAGES[n]!.suite)).toEqual(['bookworm', 'trixie', 'trixie']);
    for (const n of IMAGE_NAMES) {
      expect(IMAGES[n]!.name).toBe(n);
      for (const pkg of ['openssh-server', 'iproute2', 'nftables', 'sudo', 'iputils-ping', 'procps']) expect(IMAGES[n]!.include).toContain(pkg);
    }
    expect(IMAGES.debian12!.include).toContain('iptables');
    expect(IMAGES.debian13!.include).toContain('iptables');
    expect(IMAGES['debian13-nft']!.include).not.toContain('iptables');
  });

  it.each([['debian11'], ['Debian13'], ['toString'], ['']])('an unknown name (%j) is an error listing the images', (name) => {
    expect(() => imageOf(name)).toThrow(LabError);
    expect(() => imageOf(name)).toThrow(`lab image "${name}" does not exist; the images are: debian12, debian13, debian13-nft`);
  });

  it("an image's folder carries its recipe: each image its own, a changed recipe a new folder", () => {
    const dirs = IMAGE_NAMES.map((n) => imageDir(imageOf(n), '/c'));
    expect(new Set(dirs).size).toBe(3);
    expect(dirs[0]).toMatch(/^\/c\/debian12-[0-9a-f]{8}$/);
    const image = imageOf('debian13');
    expect(recipeId(image)).toBe(recipeId({ ...image, include: [...image.include].reverse(), about: 'other words' }));
    expect(recipeId(image)).not.toBe(recipeId({ ...image, include: [...image.include, 'curl'] }));
    expect(recipeId(image)).not.toBe(recipeId({ ...image, suite: 'forky' }));
  });

  it('is made by debootstrap --variant=minbase with its packages, its suite, into the target, from the mirror', () => {
    expect(debootstrapArgv(imageOf('debian13-nft'), '/t/rootfs', 'http://m/debian')).toEqual([
      'debootstrap',
      '--variant=minbase',
      '--include=openssh-server,iproute2,nftables,sudo,iputils-ping,procps',
      'trixie',
      '/t/rootfs',
      'http://m/debian',
    ]);
  });

  it('reads package versions from dpkg-query\'s lines, "" for a package the image does not have', () => {
    const out = 'iproute2 6.15.0-1\nopenssh-server 1:10.0p1-7+deb13u4\nlibc6 2.41-12\nbroken\n\n';
    expect(parseVersions(out, ['openssh-server', 'iproute2', 'iptables'])).toEqual({
      'openssh-server': '1:10.0p1-7+deb13u4',
      iproute2: '6.15.0-1',
      iptables: '',
    });
  });
});
