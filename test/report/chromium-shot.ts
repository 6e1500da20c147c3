import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, expect } from 'vitest';

/** Headless Debian Chromium taking screenshots of report pages, and the PNG reading to check them. */
const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';

export interface Png {
  width: number;
  height: number;
  /** RGBA, row by row */
  pixels: Buffer;
}

/** A PNG as Chromium writes it (8-bit RGB or RGBA, not interlaced), decoded with zlib alone. */
export function decodePng(buf: Buffer): Png {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'PNG signature').toBe(true);
  let offset = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Buffer[] = [];
  while (offset < buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8], 'bit depth').toBe(8);
      colourType = data[9] ?? -1;
      expect([2, 6], 'colour type RGB or RGBA').toContain(colourType);
      expect(data[12], 'not interlaced').toBe(0);
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
  }
  const bpp = colourType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  expect(raw.length).toBe(height * (stride + 1));
  const out = Buffer.alloc(width * height * 4);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp]! : 0;
      const b = prev[i]!;
      const c = i >= bpp ? prev[i - bpp]! : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else expect(filter, 'PNG filter type').toBe(0);
      line[i] = (line[i]! + add) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      out[(y * width + x) * 4] = line[x * bpp]!;
      out[(y * width + x) * 4 + 1] = line[x * bpp + 1]!;
      out[(y * width + x) * 4 + 2] = line[x * bpp + 2]!;
      out[(y * width + x) * 4 + 3] = bpp === 4 ? line[x * bpp + 3]! : 255;
    }
    prev = line;
  }
  return { width, height, pixels: out };
}

/** Pixels of about this colour (±6 a channel), and their bounding rows. */
export function colourCount(png: Png, hex: string): { count: number; top: number; bottom: number } {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  let top = Infinity;
  let bottom = -1;
  for (let i = 0; i < png.pixels.length; i += 4) {
    if (want.every((v, k) => Math.abs(png.pixels[i + k]! - v) <= 6)) {
      count++;
      const y = Math.floor(i / 4 / png.width);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return { count, top, bottom };
}

export function nonWhite(png: Png): number {
  let n = 0;
  for (let i = 0; i < png.pixels.length; i += 4) if (png.pixels[i]! < 245 || png.pixels[i + 1]! < 245 || png.pixels[i + 2]! < 245) n++;
  return n;
}

/** Chromium at /usr/bin/chromium, installed by the project's installer when it is missing. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  // the project's installer adds Debian's chromium when it is missing (root; runs apt-get update first)
  const r = spawnSync('bash', [join(ROOT, 'scripts/setup-system.sh'), '--test'], { encoding: 'utf8' });
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing and could not be installed (as root: apt-get update && apt-get install -y chromium): ${r.stderr || r.stdout}`);
  }
}

/**
 * A private folder for one describe block's pages and screenshots (Chromium made sure of before
 * it, the folder removed after): call inside the describe, read the folder in its tests.
 */
export function shotFolder(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    ensureChromium();
  }, 900_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

export interface ShotOptions {
  /** appended to the page's file URL, e.g. `#filter=failed` */
  hash?: string;
  /** window height; default 1600 (width 1280) */
  height?: number;
}

/**
 * A 1280-wide screenshot of `html` written as `dir/name.html`. With CNET_KEEP_SCREENSHOTS set to
 * a folder, a copy of the PNG is kept there as `name.png`, for a person to look at.
 */
export function screenshot(dir: string, name: string, html: string, opts: ShotOptions = {}): { file: string; bytes: number; png: Png } {
  const page = join(dir, `${name}.html`);
  const file = join(dir, `${name}.png`);
  writeFileSync(page, html);
  const profile = mkdtempSync(join(dir, `profile-${name}-`));
  const r = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      `--window-size=1280,${opts.height ?? 1600}`,
      `--screenshot=${file}`,
      `${pathToFileURL(page).href}${opts.hash ?? ''}`,
    ],
    { encoding: 'utf8', timeout: 45_000 },
  );
  expect(existsSync(file), `chromium wrote no screenshot (exit ${r.status}, ${r.signal ?? ''}): ${r.stderr}`).toBe(true);
  const keep = process.env.CNET_KEEP_SCREENSHOTS;
  if (keep) writeFileSync(join(keep, `${name}.png`), readFileSync(file));
  return { file, bytes: statSync(file).size, png: decodePng(readFileSync(file)) };
}
