/**
 * Dev tool: draws the rich menu images from src/line/rich-menus/definitions.ts and writes
 * them to assets/rich-menus/<key>.png (npm run richmenu:render).
 *
 * The PNGs are committed, so CI and `npm run richmenu:setup` never need this script or its
 * font. Run it again only after changing a label, an icon or the layout, look at the result,
 * and commit the new images.
 *
 * Thai needs a font with Thai glyphs and mark positioning (vowels above/below, tone marks):
 * we use Noto Looped Thai Bold (looped letterforms read best for older users on a phone)
 * with Noto Sans for Latin, all from Debian's fonts-noto-core
 * (`apt-get install fonts-noto-core`). Set RICH_MENU_FONT_DIR to use another folder holding
 * the same files (NotoLoopedThai-Bold.ttf and NotoSans-Regular.ttf).
 * Output is deterministic: the same fonts and code give byte-identical PNGs.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GlobalFonts, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import {
  RICH_MENU_IMAGE_MAX_BYTES,
  gridBounds,
  richMenuDefinitions,
  richMenuKeys,
  type IconName,
  type RichMenuDefinition,
} from '../src/line/rich-menus/definitions.js';

// ---------------------------------------------------------------------------------------------
// Fonts

const FONT_DIRS = [
  process.env.RICH_MENU_FONT_DIR,
  '/usr/share/fonts/truetype/noto', // Debian/Ubuntu: fonts-noto-core
  '/usr/share/fonts/noto', // Arch, Fedora
  '/usr/share/fonts/google-noto',
  '/Library/Fonts',
  path.join(process.env.HOME ?? '', 'Library/Fonts'),
].filter((d): d is string => Boolean(d));

const FONT_FILES = {
  thaiBold: 'NotoLoopedThai-Bold.ttf',
  latinRegular: 'NotoSans-Regular.ttf',
} as const;

const THAI_FAMILY = 'MorProm Thai';
const LATIN_FAMILY = 'MorProm Latin';

function registerFonts(): void {
  for (const [role, file] of Object.entries(FONT_FILES)) {
    const dir = FONT_DIRS.find((d) => existsSync(path.join(d, file)));
    if (!dir) {
      throw new Error(
        `Font ${file} not found in ${FONT_DIRS.join(', ')}.\n` +
          'Install it with `apt-get install fonts-noto-core` (Debian/Ubuntu), or set ' +
          'RICH_MENU_FONT_DIR to a folder holding NotoLoopedThai-Bold.ttf ' +
          'and NotoSans-Regular.ttf.',
      );
    }
    const family = role === 'thaiBold' ? THAI_FAMILY : LATIN_FAMILY;
    if (!GlobalFonts.registerFromPath(path.join(dir, file), family)) {
      throw new Error(`Could not load font ${path.join(dir, file)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Palette (Mor Prom teal with white)

const palette = {
  backgroundTop: '#E3F5F3',
  backgroundBottom: '#CDEDEA',
  card: '#FFFFFF',
  teal: '#00A19A',
  tealDark: '#00837D',
  tealDeep: '#0B5F5B',
  textMuted: '#4F7A77',
  primaryTop: '#00B3A9',
  primaryBottom: '#008F88',
  white: '#FFFFFF',
} as const;

// ---------------------------------------------------------------------------------------------
// Icons: line art in a 100×100 box, stroked with `fg`; `bg` is the colour behind the icon,
// used to cut gaps where two shapes overlap.

interface IconColors {
  fg: string;
  bg: string;
}

type IconDrawer = (ctx: SKRSContext2D, c: IconColors) => void;

const STROKE = 6.5;

function roundRectPath(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, r);
}

function line(ctx: SKRSContext2D, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

function dot(ctx: SKRSContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fill();
}

/** Strokes the current path twice: wide in the background colour (a gap), then normally. */
function strokeWithGap(ctx: SKRSContext2D, c: IconColors, gap = 7): void {
  ctx.save();
  ctx.strokeStyle = c.bg;
  ctx.fillStyle = c.bg;
  ctx.lineWidth = STROKE + gap * 2;
  ctx.fill();
  ctx.stroke();
  ctx.restore();
  ctx.stroke();
}

const icons: Record<IconName, IconDrawer> = {
  /** ID card with a plus badge: "register". */
  'id-card': (ctx, c) => {
    roundRectPath(ctx, 8, 22, 80, 58, 9);
    ctx.stroke();
    // Photo: head and shoulders.
    ctx.beginPath();
    ctx.arc(29, 44, 7.5, 0, Math.PI * 2);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(17, 68);
    ctx.bezierCurveTo(17, 56, 41, 56, 41, 68);
    ctx.stroke();
    // Text lines.
    line(ctx, 52, 40, 76, 40);
    line(ctx, 52, 52, 72, 52);
    line(ctx, 52, 64, 64, 64);
    // Plus badge on the corner.
    ctx.beginPath();
    ctx.arc(84, 76, 14, 0, Math.PI * 2);
    strokeWithGap(ctx, c, 4);
    ctx.save();
    ctx.fillStyle = c.fg;
    ctx.fill();
    ctx.strokeStyle = c.bg;
    ctx.lineWidth = 5;
    line(ctx, 84, 69, 84, 83);
    line(ctx, 77, 76, 91, 76);
    ctx.restore();
  },

  /** Speech bubble with a question mark: "help". */
  help: (ctx) => {
    ctx.beginPath();
    ctx.moveTo(26, 14);
    ctx.lineTo(74, 14);
    ctx.arcTo(88, 14, 88, 28, 14);
    ctx.lineTo(88, 58);
    ctx.arcTo(88, 72, 74, 72, 14);
    ctx.lineTo(44, 72);
    ctx.lineTo(26, 88);
    ctx.lineTo(28, 72);
    ctx.lineTo(26, 72);
    ctx.arcTo(12, 72, 12, 58, 14);
    ctx.lineTo(12, 28);
    ctx.arcTo(12, 14, 26, 14, 14);
    ctx.closePath();
    ctx.stroke();
    // Question mark.
    ctx.save();
    ctx.lineWidth = STROKE + 1.5;
    ctx.beginPath();
    ctx.arc(50, 34, 10, Math.PI * 1.05, Math.PI * 2.3);
    ctx.quadraticCurveTo(50, 44, 50, 50.5);
    ctx.stroke();
    ctx.restore();
    dot(ctx, 50, 61.5, 4.8);
  },

  /** Globe: "language". */
  globe: (ctx) => {
    ctx.beginPath();
    ctx.arc(50, 50, 37, 0, Math.PI * 2);
    ctx.stroke();
    ctx.beginPath();
    ctx.ellipse(50, 50, 15, 37, 0, 0, Math.PI * 2);
    ctx.stroke();
    // Two parallels, as chords of the outline.
    const half = Math.sqrt(37 * 37 - 14 * 14);
    line(ctx, 50 - half, 36, 50 + half, 36);
    line(ctx, 50 - half, 64, 50 + half, 64);
  },

  /** Syringe pointing down-left, half full, with a drop: "book a vaccine". */
  syringe: (ctx, c) => {
    ctx.save();
    ctx.translate(50, 50);
    ctx.rotate(-Math.PI / 4);
    ctx.translate(-50, -50);
    // Liquid in the barrel.
    ctx.save();
    ctx.globalAlpha = 0.45;
    ctx.fillRect(30, 41, 24, 18);
    ctx.restore();
    // Barrel.
    roundRectPath(ctx, 28, 38, 44, 24, 3);
    ctx.stroke();
    // Graduations.
    ctx.save();
    ctx.lineWidth = STROKE - 1.5;
    for (const x of [38, 47, 56]) line(ctx, x, 38, x, 47);
    ctx.restore();
    // Flange, plunger rod and thumb rest.
    line(ctx, 72, 30, 72, 70);
    line(ctx, 72, 50, 90, 50);
    line(ctx, 90, 40, 90, 60);
    // Hub and needle.
    ctx.fillRect(20, 45, 8, 10);
    ctx.save();
    ctx.lineWidth = STROKE - 2.5;
    line(ctx, 20, 50, 8, 50);
    ctx.restore();
    ctx.restore();
    // A drop falling from the needle tip.
    void c;
    ctx.beginPath();
    ctx.moveTo(15, 83);
    ctx.bezierCurveTo(15, 83, 9.5, 89.5, 9.5, 92.5);
    ctx.arc(15, 92.5, 5.5, Math.PI, 0, true);
    ctx.bezierCurveTo(20.5, 89.5, 15, 83, 15, 83);
    ctx.fill();
  },

  /** Calendar with a highlighted day: "my appointments". */
  calendar: (ctx, c) => {
    roundRectPath(ctx, 12, 20, 76, 68, 9);
    ctx.stroke();
    // Header band.
    ctx.beginPath();
    ctx.roundRect(12, 20, 76, 18, [9, 9, 0, 0]);
    ctx.fill();
    // Binding rings, cut out of the header.
    for (const x of [32, 68]) {
      ctx.beginPath();
      ctx.moveTo(x, 11);
      ctx.lineTo(x, 27);
      strokeWithGap(ctx, c, 3.5);
    }
    // Days.
    for (const [x, y] of [
      [28, 52],
      [44, 52],
      [60, 52],
      [76, 52],
      [28, 70],
      [44, 70],
    ] as const) {
      dot(ctx, x, y, 4.2);
    }
    // The booked day: a checked square.
    roundRectPath(ctx, 54, 61, 26, 19, 4);
    ctx.fill();
    ctx.save();
    ctx.strokeStyle = c.bg;
    ctx.lineWidth = 4.5;
    ctx.beginPath();
    ctx.moveTo(60, 70.5);
    ctx.lineTo(65.5, 75.5);
    ctx.lineTo(74, 65.5);
    ctx.stroke();
    ctx.restore();
  },

  /** Clipboard with a thermometer beside it: "report symptoms". */
  symptoms: (ctx, c) => {
    roundRectPath(ctx, 10, 18, 50, 72, 7);
    ctx.stroke();
    // Clip.
    roundRectPath(ctx, 23, 11, 24, 14, 4);
    strokeWithGap(ctx, c, 3);
    ctx.fill();
    // Lines on the sheet.
    line(ctx, 20, 40, 50, 40);
    line(ctx, 20, 53, 45, 53);
    line(ctx, 20, 66, 40, 66);
    // Thermometer: tube and bulb as one outline; its bulb cuts a notch in the board.
    ctx.beginPath();
    ctx.moveTo(66, 70);
    ctx.lineTo(66, 24);
    ctx.arc(73, 24, 7, Math.PI, 0);
    ctx.lineTo(80, 70);
    ctx.arc(73, 79, 11.4, -Math.PI / 2 + 0.66, Math.PI * 1.5 - 0.66);
    ctx.closePath();
    strokeWithGap(ctx, c, 4);
    // Mercury.
    dot(ctx, 73, 79, 5.5);
    ctx.save();
    ctx.lineWidth = 5;
    line(ctx, 73, 78, 73, 44);
    ctx.restore();
  },

  /** Certificate with a QR code and a seal: "certificate". */
  certificate: (ctx, c) => {
    roundRectPath(ctx, 12, 8, 60, 82, 7);
    ctx.stroke();
    // QR code: three finder patterns and a few modules.
    const finder = (x: number, y: number): void => {
      ctx.fillRect(x, y, 13, 13);
      ctx.save();
      ctx.fillStyle = c.bg;
      ctx.fillRect(x + 3, y + 3, 7, 7);
      ctx.restore();
      ctx.fillRect(x + 5, y + 5, 3, 3);
    };
    finder(23, 19);
    finder(48, 19);
    finder(23, 44);
    for (const [x, y] of [
      [39, 19],
      [39, 27],
      [39, 36],
      [48, 36],
      [56, 36],
      [39, 44],
      [48, 49],
    ] as const) {
      ctx.fillRect(x, y, 5, 5);
    }
    // Text lines.
    line(ctx, 23, 70, 46, 70);
    line(ctx, 23, 80, 40, 80);
    // Seal with two ribbon tails, over the corner.
    ctx.beginPath();
    ctx.moveTo(68, 78);
    ctx.lineTo(63, 97);
    ctx.lineTo(69.5, 93.5);
    ctx.lineTo(73.5, 99.5);
    ctx.lineTo(77, 84);
    ctx.closePath();
    ctx.moveTo(79, 84);
    ctx.lineTo(82.5, 99.5);
    ctx.lineTo(86.5, 93.5);
    ctx.lineTo(93, 97);
    ctx.lineTo(88, 78);
    ctx.closePath();
    ctx.save();
    ctx.lineWidth = 2;
    strokeWithGap(ctx, c, 3);
    ctx.restore();
    ctx.fill();
    ctx.beginPath();
    ctx.arc(78, 71, 15, 0, Math.PI * 2);
    strokeWithGap(ctx, c, 3.5);
    ctx.fill();
    ctx.save();
    ctx.strokeStyle = c.bg;
    ctx.lineWidth = 4.5;
    ctx.beginPath();
    ctx.moveTo(71.5, 71.5);
    ctx.lineTo(76, 76);
    ctx.lineTo(84.5, 66.5);
    ctx.stroke();
    ctx.restore();
  },

  /** Head and shoulders: "my profile". */
  person: (ctx) => {
    ctx.beginPath();
    ctx.arc(50, 33, 17, 0, Math.PI * 2);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(17, 88);
    ctx.bezierCurveTo(17, 66, 32, 58, 50, 58);
    ctx.bezierCurveTo(68, 58, 83, 66, 83, 88);
    ctx.closePath();
    ctx.stroke();
  },
};

function drawIcon(ctx: SKRSContext2D, name: IconName, cx: number, cy: number, size: number, colors: IconColors): void {
  ctx.save();
  ctx.translate(cx - size / 2, cy - size / 2);
  ctx.scale(size / 100, size / 100);
  ctx.strokeStyle = colors.fg;
  ctx.fillStyle = colors.fg;
  ctx.lineWidth = STROKE;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  icons[name](ctx, colors);
  ctx.restore();
}

// ---------------------------------------------------------------------------------------------
// Layout

/** The largest size ≤ `size` at which every text fits in `maxWidth` (one size per menu looks calmer). */
function fitSize(ctx: SKRSContext2D, texts: readonly string[], weight: number, size: number, family: string, maxWidth: number): number {
  let px = size;
  for (;;) {
    ctx.font = `${weight} ${px}px "${family}"`;
    if (texts.every((t) => ctx.measureText(t).width <= maxWidth) || px <= 24) return px;
    px -= 2;
  }
}

function renderMenu(def: RichMenuDefinition): Promise<Buffer> {
  const { width, height } = def.request.size;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');

  const bg = ctx.createLinearGradient(0, 0, 0, height);
  bg.addColorStop(0, palette.backgroundTop);
  bg.addColorStop(1, palette.backgroundBottom);
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, width, height);

  const cells = gridBounds(def.request.size, def.columns, def.rows);
  const margin = 22; // half the gap between two cards
  const textWidth = Math.min(...cells.map((c) => c.width)) - margin * 2 - 64;
  ctx.lang = 'th';
  const thaiPx = fitSize(ctx, def.items.map((i) => i.th), 700, 116, THAI_FAMILY, textWidth);
  ctx.lang = 'en';
  const latinPx = fitSize(ctx, def.items.map((i) => i.en), 400, 62, LATIN_FAMILY, textWidth - 20);
  cells.forEach((cell, i) => {
    const item = def.items[i]!;
    const x = cell.x + margin;
    const y = cell.y + margin;
    const w = cell.width - margin * 2;
    const h = cell.height - margin * 2;
    const primary = item.primary === true;

    // Card with a soft shadow.
    ctx.save();
    ctx.shadowColor = 'rgba(0, 80, 76, 0.18)';
    ctx.shadowBlur = 28;
    ctx.shadowOffsetY = 8;
    if (primary) {
      const g = ctx.createLinearGradient(x, y, x, y + h);
      g.addColorStop(0, palette.primaryTop);
      g.addColorStop(1, palette.primaryBottom);
      ctx.fillStyle = g;
    } else {
      ctx.fillStyle = palette.card;
    }
    ctx.beginPath();
    ctx.roundRect(x, y, w, h, 44);
    ctx.fill();
    ctx.restore();

    // Icon badge.
    const cx = x + w / 2;
    const badgeR = 158;
    const badgeCy = y + 80 + badgeR;
    const badgeFill = primary ? palette.white : palette.teal;
    ctx.beginPath();
    ctx.arc(cx, badgeCy, badgeR, 0, Math.PI * 2);
    ctx.fillStyle = badgeFill;
    ctx.fill();
    if (!primary) {
      // A faint ring echoes the primary card's colour.
      ctx.beginPath();
      ctx.arc(cx, badgeCy, badgeR + 14, 0, Math.PI * 2);
      ctx.strokeStyle = 'rgba(0, 161, 154, 0.16)';
      ctx.lineWidth = 14;
      ctx.stroke();
    }
    drawIcon(ctx, item.icon, cx, badgeCy, 214, {
      fg: primary ? palette.tealDark : palette.white,
      bg: badgeFill,
    });

    // Labels.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.lang = 'th';
    ctx.font = `700 ${thaiPx}px "${THAI_FAMILY}"`;
    ctx.fillStyle = primary ? palette.white : palette.tealDeep;
    ctx.fillText(item.th, cx, y + 590);

    ctx.lang = 'en';
    ctx.font = `400 ${latinPx}px "${LATIN_FAMILY}"`;
    ctx.fillStyle = primary ? 'rgba(255, 255, 255, 0.92)' : palette.textMuted;
    ctx.fillText(item.en, cx, y + 688);
  });

  return canvas.encode('png');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  registerFonts();
  for (const key of richMenuKeys) {
    const def = richMenuDefinitions[key];
    const png = await renderMenu(def);
    if (png.length > RICH_MENU_IMAGE_MAX_BYTES) {
      throw new Error(`${key}: ${png.length} bytes; LINE allows ${RICH_MENU_IMAGE_MAX_BYTES}`);
    }
    await mkdir(path.dirname(def.imageFile), { recursive: true });
    await writeFile(def.imageFile, png);
    console.log(`${path.relative(process.cwd(), def.imageFile)}: ${def.request.size.width}×${def.request.size.height}, ${(png.length / 1024).toFixed(0)} KB`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
