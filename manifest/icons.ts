/**
 * Our icons, drawn in code: a shield, with 密 drawn as strokes on the larger sizes and a keyhole on the small ones
 * (at 16–32 px the character's eleven strokes run together). Shapes live in a unit square and are rasterised with
 * 4×4 supersampling, so every size is drawn from the same geometry.
 */
import { ACCENT_COLOR, MAC_ACCENT_COLOR } from './app';
import { encodePng } from './png';

type Point = readonly [number, number];
type Rgb = readonly [number, number, number];

/** A region of the unit square: a bounding box (cheap rejection) and the exact test. */
interface Shape {
  readonly box: readonly [x0: number, y0: number, x1: number, y1: number];
  inside(x: number, y: number): boolean;
}

interface Layer {
  readonly shape: Shape;
  readonly color: Rgb;
}

const WHITE: Rgb = [255, 255, 255];

function hex(color: string): Rgb {
  const n = parseInt(color.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function boxOf(points: readonly Point[], margin = 0): Shape['box'] {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [Math.min(...xs) - margin, Math.min(...ys) - margin, Math.max(...xs) + margin, Math.max(...ys) + margin];
}

const inBox = (box: Shape['box'], x: number, y: number): boolean =>
  x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];

/** Points along a quadratic Bézier from `a` to `b` with control `c`, excluding `a`. */
function quadratic(a: Point, c: Point, b: Point, steps = 16): Point[] {
  const out: Point[] = [];
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    out.push([u * u * a[0] + 2 * u * t * c[0] + t * t * b[0], u * u * a[1] + 2 * u * t * c[1] + t * t * b[1]]);
  }
  return out;
}

const everywhere: Shape = { box: [-Infinity, -Infinity, Infinity, Infinity], inside: () => true };

/** Even-odd point-in-polygon. */
function polygon(points: readonly Point[]): Shape {
  return {
    box: boxOf(points),
    inside: (x, y) => {
      let inside = false;
      for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
        const [xi, yi] = points[i] as Point;
        const [xj, yj] = points[j] as Point;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) {
          inside = !inside;
        }
      }
      return inside;
    },
  };
}

/** Polylines drawn with round ends and joins, `width` wide. */
function strokes(lines: readonly (readonly Point[])[], width: number): Shape {
  const r = width / 2;
  const segments = lines.flatMap((line) =>
    line.slice(1).map((b, i) => {
      const a = line[i] as Point;
      return { a, b, box: boxOf([a, b], r) };
    }),
  );
  return {
    box: boxOf(lines.flat(), r),
    inside: (x, y) =>
      segments.some(({ a, b, box }) => {
        if (!inBox(box, x, y)) {
          return false;
        }
        const dx = b[0] - a[0];
        const dy = b[1] - a[1];
        const t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy || 1)));
        return Math.hypot(x - (a[0] + t * dx), y - (a[1] + t * dy)) <= r;
      }),
  };
}

const circle = (cx: number, cy: number, r: number): Shape => ({
  box: [cx - r, cy - r, cx + r, cy + r],
  inside: (x, y) => Math.hypot(x - cx, y - cy) <= r,
});

const union = (...shapes: Shape[]): Shape => ({
  box: [
    Math.min(...shapes.map((s) => s.box[0])),
    Math.min(...shapes.map((s) => s.box[1])),
    Math.max(...shapes.map((s) => s.box[2])),
    Math.max(...shapes.map((s) => s.box[3])),
  ],
  inside: (x, y) => shapes.some((s) => inBox(s.box, x, y) && s.inside(x, y)),
});

/** Maps a shape drawn in a unit square into the box `[x0, x0 + size] × [y0, y0 + size]`. */
const within = (x0: number, y0: number, size: number, shape: Shape): Shape => ({
  box: [x0 + shape.box[0] * size, y0 + shape.box[1] * size, x0 + shape.box[2] * size, y0 + shape.box[3] * size],
  inside: (x, y) => shape.inside((x - x0) / size, (y - y0) / size),
});

/** The shield outline, closed: a gently arched top, straight sides, curving to a point. */
const SHIELD_OUTLINE: readonly Point[] = (() => {
  const topLeft: Point = [0.12, 0.14];
  const topRight: Point = [0.88, 0.14];
  const sideRight: Point = [0.88, 0.48];
  const sideLeft: Point = [0.12, 0.48];
  const tip: Point = [0.5, 0.96];
  return [
    topLeft,
    ...quadratic(topLeft, [0.5, 0.0], topRight),
    sideRight,
    ...quadratic(sideRight, [0.88, 0.8], tip),
    ...quadratic(tip, [0.12, 0.8], sideLeft),
  ];
})();
const SHIELD = polygon(SHIELD_OUTLINE);

/** 密: 宀 over 必 over 山, drawn as our own strokes in a unit square. */
const MI_STROKES: readonly (readonly Point[])[] = [
  // 宀
  [
    [0.5, 0.02],
    [0.52, 0.1],
  ],
  [
    [0.1, 0.24],
    [0.1, 0.14],
    [0.9, 0.14],
    [0.88, 0.24],
  ],
  // 必
  [
    [0.22, 0.38],
    [0.16, 0.5],
  ],
  [
    [0.44, 0.28],
    [0.52, 0.34],
  ],
  [
    [0.36, 0.32],
    [0.36, 0.55],
    [0.42, 0.6],
    [0.66, 0.6],
    [0.72, 0.52],
  ],
  [
    [0.72, 0.3],
    [0.28, 0.64],
  ],
  [
    [0.8, 0.38],
    [0.86, 0.5],
  ],
  // 山
  [
    [0.5, 0.68],
    [0.5, 0.94],
  ],
  [
    [0.2, 0.76],
    [0.2, 0.94],
    [0.8, 0.94],
    [0.8, 0.76],
  ],
];
const MI = strokes(MI_STROKES, 0.09);
/** 密 placed inside the shield, clear of its narrowing bottom. */
const MI_IN_SHIELD = within(0.27, 0.2, 0.46, MI);

const KEYHOLE = union(
  circle(0.5, 0.42, 0.1),
  polygon([
    [0.45, 0.46],
    [0.55, 0.46],
    [0.58, 0.72],
    [0.42, 0.72],
  ]),
);

const SAMPLES = 4;

/** Rasterises the layers (painted in order, all opaque) into RGBA, averaging SAMPLES² points per pixel. */
function render(size: number, layers: readonly Layer[]): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let covered = 0;
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SAMPLES) / size;
          const y = (py + (sy + 0.5) / SAMPLES) / size;
          let color: Rgb | null = null;
          // The topmost layer that covers the point wins: layers are opaque.
          for (let l = layers.length - 1; l >= 0 && !color; l--) {
            const { shape, color: layerColor } = layers[l] as Layer;
            if (inBox(shape.box, x, y) && shape.inside(x, y)) {
              color = layerColor;
            }
          }
          if (color) {
            covered++;
            red += color[0];
            green += color[1];
            blue += color[2];
          }
        }
      }
      const o = (py * size + px) * 4;
      if (covered > 0) {
        rgba[o] = Math.round(red / covered);
        rgba[o + 1] = Math.round(green / covered);
        rgba[o + 2] = Math.round(blue / covered);
        rgba[o + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
      }
    }
  }
  return rgba;
}

const png = (size: number, layers: readonly Layer[]): Buffer => encodePng(size, size, render(size, layers));

/** Teams' colour icon (192×192): the accent colour full bleed, a white shield, 密 in the accent colour. */
export function colorIcon(): Buffer {
  const accent = hex(ACCENT_COLOR);
  return png(192, [
    { shape: everywhere, color: accent },
    { shape: within(0.1, 0.08, 0.8, SHIELD), color: WHITE },
    { shape: within(0.1, 0.08, 0.8, MI_IN_SHIELD), color: accent },
  ]);
}

/** Teams' outline icon (32×32): white on transparent, the shield's edge and a keyhole. */
export function outlineIcon(): Buffer {
  return png(32, [
    { shape: strokes([[...SHIELD_OUTLINE, SHIELD_OUTLINE[0] as Point]], 0.085), color: WHITE },
    { shape: KEYHOLE, color: WHITE },
  ]);
}

/** A filled shield on transparent: 密 from 64 px up, a keyhole below. */
function shieldIcon(size: number, color: string): Buffer {
  return png(size, [
    { shape: SHIELD, color: hex(color) },
    { shape: size >= 64 ? MI_IN_SHIELD : KEYHOLE, color: WHITE },
  ]);
}

export const ribbonIcon = (size: number): Buffer => shieldIcon(size, ACCENT_COLOR);
export const macIcon = (size: number): Buffer => shieldIcon(size, MAC_ACCENT_COLOR);
