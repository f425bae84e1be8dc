import { unzipSync } from 'fflate';

import { buildManifests } from '../../support/manifest-build';
import { readPng } from '../../support/png';

describe('app package', () => {
  const built = buildManifests();
  const entries = unzipSync(new Uint8Array(built.appPackage));

  it('holds exactly the manifest, its localisation and the two icons, all at the root', () => {
    expect(Object.keys(entries).sort()).toEqual(['color.png', 'en-US.json', 'manifest.json', 'outline.png']);
    // The names the manifest points at are the ones in the zip.
    const { manifest } = built;
    expect([
      manifest.icons.color,
      manifest.icons.outline,
      ...(manifest.localizationInfo?.additionalLanguages ?? []).map((l) => l.file),
    ]).toEqual(['color.png', 'outline.png', 'en-US.json']);
    expect(Buffer.from(entries['manifest.json'] as Uint8Array)).toEqual(built.files['manifest/manifest.json']);
    expect(Buffer.from(entries['en-US.json'] as Uint8Array)).toEqual(built.files['manifest/en-US.json']);
  });

  it('has a 192×192 colour icon, opaque', () => {
    const color = readPng(entries['color.png'] as Uint8Array);
    expect([color.width, color.height, color.bitDepth, color.colorType]).toEqual([192, 192, 8, 6]);
    const alphas = new Set(color.pixels.filter((_, i) => i % 4 === 3));
    expect([...alphas]).toEqual([255]);
  });

  it('has a 32×32 outline icon: white on a transparent background', () => {
    const outline = readPng(entries['outline.png'] as Uint8Array);
    expect([outline.width, outline.height, outline.bitDepth, outline.colorType]).toEqual([32, 32, 8, 6]);
    let transparent = 0;
    let drawn = 0;
    const notWhite: number[] = [];
    for (let i = 0; i < outline.pixels.length; i += 4) {
      if (outline.pixels[i + 3] === 0) {
        transparent++;
        continue;
      }
      drawn++;
      if (outline.pixels[i] !== 255 || outline.pixels[i + 1] !== 255 || outline.pixels[i + 2] !== 255) {
        notWhite.push(i / 4);
      }
    }
    expect(notWhite).toEqual([]);
    // The corners are background, and most of the square is.
    expect(outline.pixels[3]).toBe(0);
    expect(outline.pixels[outline.pixels.length - 1]).toBe(0);
    expect(transparent).toBeGreaterThan(32 * 32 * 0.4);
    expect(drawn).toBeGreaterThan(32 * 32 * 0.1);
  });

  it('serves the ribbon icons at 16, 32 and 80 px and the Mac listing icons at 64 and 128 px', () => {
    const sizes = Object.entries(built.files)
      .filter(([name]) => name.endsWith('.png'))
      .map(([name, bytes]) => {
        const png = readPng(bytes);
        return [name, png.width, png.height];
      })
      .sort();
    expect(sizes).toEqual([
      ['manifest/icons/mac-128.png', 128, 128],
      ['manifest/icons/mac-64.png', 64, 64],
      ['manifest/icons/ribbon-16.png', 16, 16],
      ['manifest/icons/ribbon-32.png', 32, 32],
      ['manifest/icons/ribbon-80.png', 80, 80],
    ]);
  });

  it('is the same bytes for the same options (a rebuild does not look like a new version)', () => {
    // A different spelling of the same origin, so the build really runs again.
    const again = buildManifests({ PUBLIC_URL: 'https://localhost:3000/' }).appPackage;
    expect(again.equals(built.appPackage)).toBe(true);
  });
});
