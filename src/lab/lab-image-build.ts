import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LabError } from '../errors.js';
import {
  DEBIAN_MIRROR,
  debootstrapArgv,
  IMAGE_CACHE,
  imageDir,
  type ImageStamp,
  type LabImage,
  parseVersions,
  recipeId,
  STAMPED_PACKAGES,
} from './lab-images.js';
import { exec } from './local-exec.js';
import { withLock } from './lock.js';

/** A built image: its folder, the root file system VMs lay their overlay on, and its stamp. */
export interface BuiltImage {
  dir: string;
  rootfs: string;
  stamp: ImageStamp;
}

export interface ImageOptions {
  /** where images are kept (default /var/cache/cnet-remote/images) */
  cache?: string;
  /** Debian's mirror (default: $CNET_LAB_MIRROR, else deb.debian.org) */
  mirror?: string;
  note?: (text: string) => void;
  /** what fills `rootfs` (default: debootstrap); a test's stand-in for the lock and rename around it */
  build?: (image: LabImage, rootfs: string, mirror: string) => Promise<void>;
}

const stampFile = (dir: string) => join(dir, 'stamp.json');

/** The stamp of a finished image in `dir`, or undefined (none there, or a folder no build finished). */
export function readStamp(dir: string): ImageStamp | undefined {
  try {
    const stamp = JSON.parse(readFileSync(stampFile(dir), 'utf8')) as ImageStamp;
    return existsSync(join(dir, 'rootfs')) ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The image, built first if this machine has none of its recipe yet. A build happens once per
 * machine: under a lock of its own (two labs, two test files, two checkouts asking at once build
 * it once; the others wait and use it), into a temporary folder beside the cache that is renamed
 * into place only when it is complete, with the stamp naming its package versions. What a build
 * that died left (its temporary folder) goes before the next one starts.
 */
export async function ensureImage(image: LabImage, o: ImageOptions = {}): Promise<BuiltImage> {
  const cache = o.cache ?? IMAGE_CACHE;
  const dir = imageDir(image, cache);
  const done = (): BuiltImage | undefined => {
    const stamp = readStamp(dir);
    return stamp ? { dir, rootfs: join(dir, 'rootfs'), stamp } : undefined;
  };
  const ready = done();
  if (ready) return ready;
  mkdirSync(cache, { recursive: true, mode: 0o755 });
  return withLock(join(cache, `.${basename(dir)}.lock`), async () => {
    const meanwhile = done();
    if (meanwhile) return meanwhile;
    const temp = `.build-${basename(dir)}-`;
    // holding the lock: a folder of that name is what an ended build left (its mounts were in a namespace that ended with it)
    for (const f of readdirSync(cache).filter((f) => f.startsWith(temp))) rmSync(join(cache, f), { recursive: true, force: true });
    // the image's folder with no stamp was never finished by a build: not an image
    rmSync(dir, { recursive: true, force: true });
    const work = join(cache, `${temp}${process.pid}`);
    mkdirSync(work, { mode: 0o755 });
    const mirror = o.mirror ?? process.env.CNET_LAB_MIRROR ?? DEBIAN_MIRROR;
    o.note?.(`building lab image ${image.name} (${image.about}) from ${mirror}: once for this machine, about a minute`);
    const started = Date.now();
    try {
      const rootfs = join(work, 'rootfs');
      await (o.build ?? debootstrap)(image, rootfs, mirror);
      const stamp: ImageStamp = {
        name: image.name,
        suite: image.suite,
        recipe: recipeId(image),
        include: [...image.include],
        built: new Date().toISOString(),
        seconds: Math.round((Date.now() - started) / 100) / 10,
        versions: await versionsIn(rootfs),
        bytes: Number((await exec(['du', '-sb', rootfs])).split('\t')[0]),
      };
      writeFileSync(stampFile(work), `${JSON.stringify(stamp, null, 2)}\n`);
      renameSync(work, dir);
      o.note?.(`lab image ${image.name} built in ${stamp.seconds} s: ${dir}`);
      return { dir, rootfs: join(dir, 'rootfs'), stamp };
    } catch (e) {
      rmSync(work, { recursive: true, force: true });
      throw e;
    }
  });
}

/** The versions of STAMPED_PACKAGES in a root file system, from its dpkg database. */
async function versionsIn(rootfs: string): Promise<Record<string, string>> {
  const admin = join(rootfs, 'var', 'lib', 'dpkg');
  if (!existsSync(admin)) return parseVersions('', STAMPED_PACKAGES);
  return parseVersions(await exec(['dpkg-query', `--admindir=${admin}`, '-W', '-f', '${Package} ${Version}\n']), STAMPED_PACKAGES);
}

/**
 * debootstrap into `rootfs`, in a mount namespace of its own (the /proc and /sys it mounts in the
 * target never reach the machine's, and go with it however it ends), killed if we die. Then the
 * host keys the package made go: every VM gets its own from the lab.
 */
async function debootstrap(image: LabImage, rootfs: string, mirror: string): Promise<void> {
  if (!existsSync('/usr/sbin/debootstrap')) throw new LabError('lab images are built with debootstrap, which is missing: apt-get install -y debootstrap');
  const argv = ['setpriv', '--pdeathsig', 'KILL', 'unshare', '--mount', '--propagation', 'private', '--kill-child', ...debootstrapArgv(image, rootfs, mirror)];
  const log = `${rootfs}.log`;
  const failed = await new Promise<string | undefined>((resolve) => {
    execFile(argv[0]!, argv.slice(1), { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      writeFileSync(log, stdout + stderr);
      resolve(err ? (stdout + stderr).trim().split('\n').slice(-3).join(' | ') || err.message : undefined);
    });
  });
  if (failed !== undefined) {
    throw new LabError(
      `lab image ${image.name} could not be built: ${debootstrapArgv(image, 'DIR', mirror).join(' ')} failed: ${failed}. ` +
        `It downloads Debian ${image.suite} once: check that this machine reaches ${mirror} (apt-get update works), ` +
        'or set CNET_LAB_MIRROR to a Debian mirror it reaches; then lab up again (or lab up without --image for VMs that run this machine’s programs)',
    );
  }
  for (const f of readdirSync(join(rootfs, 'etc', 'ssh')).filter((f) => f.startsWith('ssh_host_'))) rmSync(join(rootfs, 'etc', 'ssh', f));
}
