/** The analysis' band range (packages/voice-dsp: 24 mel bands, 50 Hz–8 kHz). */
export const SPECTRUM_LOW_HZ = 50;
export const SPECTRUM_HIGH_HZ = 8000;
/** A nearly flat spectrum still gets this much height, so a 2 dB wobble does not fill the plot. */
const MIN_SPAN_DB = 20;
// 250 Hz would crowd 100 Hz: the mel axis gives the low octaves little room.
const TICKS_HZ = [100, 500, 1000, 2000, 4000, 8000] as const;

/** The bands are spaced on the mel scale (HTK formula, as in the analysis), so the x axis is too. */
export const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);

export interface PlotBox {
  width: number;
  height: number;
  /** Room for the axis labels. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface SpectrumScale {
  points: { x: number; y: number; hz: number; db: number }[];
  /** dB at the top and bottom edges of the plot area (multiples of 10). */
  topDb: number;
  bottomDb: number;
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  /** Centre frequency of the strongest band. */
  peakHz: number;
}

function hzLabel(hz: number): string {
  return hz >= 1000 ? `${hz / 1000}k` : String(hz);
}

/**
 * Places each band at its centre frequency on a mel axis spanning the analysis range, and its level on a dB axis
 * whose edges are the nearest multiples of 10 around the data (at least MIN_SPAN_DB apart, centred on the data
 * when widened). Pure, so the scaling is tested without a DOM.
 */
export function scaleSpectrum(bandsDb: readonly number[], centersHz: readonly number[], box: PlotBox): SpectrumScale {
  if (bandsDb.length === 0 || bandsDb.length !== centersHz.length) {
    throw new RangeError(`need one centre per band, got ${bandsDb.length} bands and ${centersHz.length} centres`);
  }
  const plotWidth = box.width - box.left - box.right;
  const plotHeight = box.height - box.top - box.bottom;
  const lowMel = hzToMel(SPECTRUM_LOW_HZ);
  const highMel = hzToMel(SPECTRUM_HIGH_HZ);
  const xOf = (hz: number) => box.left + ((hzToMel(hz) - lowMel) / (highMel - lowMel)) * plotWidth;

  const max = Math.max(...bandsDb);
  const min = Math.min(...bandsDb);
  let topDb = Math.ceil(max / 10) * 10;
  let bottomDb = Math.floor(min / 10) * 10;
  if (topDb - bottomDb < MIN_SPAN_DB) {
    const middle = (max + min) / 2;
    topDb = Math.ceil((middle + MIN_SPAN_DB / 2) / 10) * 10;
    bottomDb = topDb - MIN_SPAN_DB;
  }
  const yOf = (db: number) => box.top + ((topDb - db) / (topDb - bottomDb)) * plotHeight;

  const points = bandsDb.map((db, i) => {
    const hz = centersHz[i]!;
    return { x: xOf(hz), y: yOf(db), hz, db };
  });
  const yTicks: SpectrumScale['yTicks'] = [];
  const step = topDb - bottomDb > 40 ? 20 : 10;
  for (let db = topDb; db >= bottomDb; db -= step) yTicks.push({ y: yOf(db), label: `${db}` });
  const peak = bandsDb.indexOf(max);
  return {
    points,
    topDb,
    bottomDb,
    xTicks: TICKS_HZ.map((hz) => ({ x: xOf(hz), label: hzLabel(hz) })),
    yTicks,
    peakHz: centersHz[peak]!,
  };
}

/** SVG path data through the points. */
export function linePath(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}
