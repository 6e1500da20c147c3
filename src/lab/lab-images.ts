import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { LabError } from '../errors.js';

/**
 * The distributions a lab VM can run (`lab up --image NAME`): a Debian userland made once per
 * machine by `debootstrap --variant=minbase` (lab-image-build.ts) and shared, read-only, by every
 * VM as the lower layer of its own overlay (templates/vm-image.sh). Without an image a VM runs
 * this machine's own programs (the default, fast mode).
 */
export interface LabImage {
  name: string;
  /** Debian's code name */
  suite: string;
  /** what debootstrap adds to minbase: the VM's sshd and PAM, the tool's host programs, sudo */
  include: readonly string[];
  /** what the image says it is, for people */
  about: string;
}

/**
 * What a VM needs besides minbase (which has sh, coreutils, findutils, util-linux's flock, setsid,
 * su and mount): sshd with its PAM, `ip` and `bridge`, `nft`, sudo, ping, and procps' sysctl and ps.
 */
const COMMON = ['openssh-server', 'iproute2', 'nftables', 'sudo', 'iputils-ping', 'procps'] as const;

export const IMAGES: Record<string, LabImage> = {
  debian12: { name: 'debian12', suite: 'bookworm', include: [...COMMON, 'iptables'], about: 'Debian 12 (bookworm)' },
  debian13: { name: 'debian13', suite: 'trixie', include: [...COMMON, 'iptables'], about: 'Debian 13 (trixie)' },
  'debian13-nft': { name: 'debian13-nft', suite: 'trixie', include: [...COMMON], about: 'Debian 13 (trixie) without iptables: nftables only' },
};

export const IMAGE_NAMES = Object.keys(IMAGES);

/** The image called `name`, or an error listing the ones there are. */
export function imageOf(name: string): LabImage {
  const image = Object.hasOwn(IMAGES, name) ? IMAGES[name] : undefined;
  if (!image) throw new LabError(`lab image "${name}" does not exist; the images are: ${IMAGE_NAMES.join(', ')}`);
  return image;
}

/** Where built images are kept, one folder each, for every lab and checkout on the machine. */
export const IMAGE_CACHE = '/var/cache/cnet-remote/images';

/** Debian's mirror the images come from (the one this machine's apt uses). */
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** The packages whose versions an image's stamp names (what a test or a report compares). */
export const STAMPED_PACKAGES = ['openssh-server', 'iproute2', 'nftables', 'iptables', 'sudo', 'libpam-modules'] as const;

/**
 * An image's recipe in 8 hex digits: its folder's name carries it, so a changed recipe builds a
 * new folder beside the old one, which VMs still running may be using.
 */
export function recipeId(image: LabImage): string {
  return createHash('sha256')
    .update(JSON.stringify({ suite: image.suite, include: [...image.include].sort(), variant: 'minbase' }))
    .digest('hex')
    .slice(0, 8);
}

/** The folder of a built image: `<cache>/<name>-<recipe>`, with `rootfs/` and `stamp.json`. */
export function imageDir(image: LabImage, cache = IMAGE_CACHE): string {
  return join(cache, `${image.name}-${recipeId(image)}`);
}

/** debootstrap's command line that makes `image` in `target`. */
export function debootstrapArgv(image: LabImage, target: string, mirror = DEBIAN_MIRROR): string[] {
  return ['debootstrap', '--variant=minbase', `--include=${image.include.join(',')}`, image.suite, target, mirror];
}

/** What `<image>/stamp.json` says: the recipe and when it was built, the versions it got, how long it took, its size. */
export interface ImageStamp {
  name: string;
  suite: string;
  recipe: string;
  include: string[];
  built: string;
  seconds: number;
  /** package → version, for STAMPED_PACKAGES ("" for one the image does not have) */
  versions: Record<string, string>;
  /** the root file system's size on disk */
  bytes: number;
}

/** `dpkg-query -W -f '${Package} ${Version}\n'` output → package → version, every one of `names` ("" when absent). */
export function parseVersions(out: string, names: readonly string[]): Record<string, string> {
  const found = new Map(
    out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length === 2 && f[1] !== '')
      .map((f) => [f[0]!, f[1]!] as const),
  );
  return Object.fromEntries(names.map((n) => [n, found.get(n) ?? '']));
}
