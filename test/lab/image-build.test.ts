import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureImage, readStamp } from '../../src/lab/lab-image-build.js';
import { imageDir, imageOf, type LabImage } from '../../src/lab/lab-images.js';

/**
 * Building an image once per machine: the lock, the temporary folder renamed into place, the
 * stamp, what a dead build left. The build itself here is a stand-in that writes a file (the real
 * debootstrap runs in test/e2e/lab-image.test.ts), except where it must fail for real.
 */
let cache: string;
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'cnet-images-'));
});
afterEach(() => rmSync(cache, { recursive: true, force: true }));

const image = imageOf('debian13');

/** a build that takes a while and counts itself */
function slowBuild(count: { n: number }) {
  return async (_image: LabImage, rootfs: string) => {
    count.n++;
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(rootfs, 'etc', 'debian_version'), '13.0\n');
  };
}

describe('ensureImage', () => {
  it('two at once build once; both get the finished image, its stamp naming recipe and size', async () => {
    const count = { n: 0 };
    const [a, b] = await Promise.all([ensureImage(image, { cache, build: slowBuild(count) }), ensureImage(image, { cache, build: slowBuild(count) })]);
    expect(count.n).toBe(1);
    expect(a.dir).toBe(imageDir(image, cache));
    expect(b.rootfs).toBe(join(a.dir, 'rootfs'));
    expect(readFileSync(join(a.rootfs, 'etc', 'debian_version'), 'utf8')).toBe('13.0\n');
    expect(readStamp(a.dir)).toMatchObject({ name: 'debian13', suite: 'trixie', include: [...image.include] });
    expect(a.stamp.bytes).toBeGreaterThan(0);
    // nothing else left in the cache but the image and its lock
    expect(readdirSync(cache).filter((f) => !f.endsWith('.lock'))).toEqual([a.dir.split('/').pop()]);
    // later: no build at all
    await ensureImage(image, { cache, build: slowBuild(count) });
    expect(count.n).toBe(1);
  });

  it('removes what a dead build left, and a folder with no stamp is not an image', async () => {
    const dir = imageDir(image, cache);
    const stale = join(cache, `.build-${dir.split('/').pop()}-999999`);
    mkdirSync(join(stale, 'rootfs', 'etc'), { recursive: true });
    mkdirSync(join(dir, 'rootfs'), { recursive: true }); // a folder without stamp.json
    expect(readStamp(dir)).toBeUndefined();
    const count = { n: 0 };
    await ensureImage(image, { cache, build: slowBuild(count) });
    expect(count.n).toBe(1);
    expect(existsSync(stale)).toBe(false);
    expect(readStamp(dir)?.name).toBe('debian13');
  });

  it('a failed build leaves nothing and says why', async () => {
    const failing = async (_i: LabImage, rootfs: string) => {
      mkdirSync(rootfs, { recursive: true });
      throw new Error('no network');
    };
    await expect(ensureImage(image, { cache, build: failing })).rejects.toThrow('no network');
    expect(readdirSync(cache).filter((f) => !f.endsWith('.lock'))).toEqual([]);
  });

  it('debootstrap from a mirror it cannot reach: an error naming the command, the mirror and what to do', async () => {
    // a port nothing listens on, on this machine: refused at once, nothing leaves the machine
    const mirror = 'http://127.0.0.1:9/debian';
    const err = await ensureImage(imageOf('debian12'), { cache, mirror }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      /^lab image debian12 could not be built: debootstrap --variant=minbase --include=\S+ bookworm DIR http:\/\/127\.0\.0\.1:9\/debian failed: /,
    );
    expect(err?.message).toContain('check that this machine reaches http://127.0.0.1:9/debian (apt-get update works), or set CNET_LAB_MIRROR');
    expect(readdirSync(cache).filter((f) => !f.endsWith('.lock'))).toEqual([]);
  });
});
