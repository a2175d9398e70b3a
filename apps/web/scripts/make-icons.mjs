// Rasterises the app icon (public/icon.svg's shapes) into the PNGs the web manifest lists, with no image
// tools installed: 4×4 supersampled rounded rectangles, encoded as PNG with zlib. Run once after changing the icon.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BACKGROUND = [0x4f, 0x46, 0xe5];
const BARS = [
  [116, 206, 40, 100],
  [186, 146, 40, 220],
  [256, 96, 40, 320],
  [326, 166, 40, 180],
  [396, 216, 40, 80],
];

function insideRoundedRect(x, y, [left, top, width, height], radius) {
  if (x < left || y < top || x > left + width || y > top + height) return false;
  const cx = Math.min(Math.max(x, left + radius), left + width - radius);
  const cy = Math.min(Math.max(y, top + radius), top + height - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

/** RGBA of the icon at `size`; `bleed` fills the square edge to edge and shrinks the art (maskable icons). */
function render(size, { bleed = false } = {}) {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = 4;
  const scale = bleed ? 0.8 : 1;
  const offset = bleed ? 256 * (1 - scale) : 0;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let cover = 0;
      let white = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 512;
          const y = ((py + (sy + 0.5) / samples) / size) * 512;
          const inBackground = bleed || insideRoundedRect(x, y, [0, 0, 512, 512], 96);
          if (!inBackground) continue;
          cover++;
          const ax = (x - offset) / scale;
          const ay = (y - offset) / scale;
          if (BARS.some((bar) => insideRoundedRect(ax, ay, bar, 20))) white++;
        }
      }
      const n = samples * samples;
      const i = (py * size + px) * 4;
      const w = cover === 0 ? 0 : white / cover;
      for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(BACKGROUND[c] * (1 - w) + 255 * w);
      pixels[i + 3] = Math.round((cover / n) * 255);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('../public/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), png(192, render(192)));
writeFileSync(new URL('icon-512.png', out), png(512, render(512)));
writeFileSync(new URL('icon-maskable-512.png', out), png(512, render(512, { bleed: true })));
