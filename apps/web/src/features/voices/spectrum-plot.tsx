import { linePath, scaleSpectrum, type PlotBox } from './spectrum-scale';

const BOX: PlotBox = { width: 320, height: 130, left: 30, right: 8, top: 8, bottom: 22 };

function frequencyWords(hz: number): string {
  return hz >= 1000 ? `${(hz / 1000).toFixed(1)} kHz` : `${Math.round(hz / 10) * 10} Hz`;
}

/** What the line shows, for screen readers (and as the plot's tooltip). */
export function spectrumSummary(peakHz: number, tiltDbPerOctave: number): string {
  const tilt =
    Math.abs(tiltDbPerOctave) < 0.5
      ? 'roughly level across the range'
      : `${tiltDbPerOctave < 0 ? 'falling' : 'rising'} about ${Math.abs(tiltDbPerOctave).toFixed(0)} dB per octave`;
  return `Long-term average spectrum, 50 Hz to 8 kHz: strongest around ${frequencyWords(peakHz)}, ${tilt}.`;
}

/**
 * The voice's long-term average spectrum as a line: band level (dB relative to the bands' mean) against frequency
 * on the mel axis the bands are spaced on. Scales with its container (viewBox), so it fits a 360 px phone.
 */
export function SpectrumPlot({
  bandsDb,
  centersHz,
  tiltDbPerOctave,
}: {
  bandsDb: readonly number[];
  centersHz: readonly number[];
  tiltDbPerOctave: number;
}) {
  if (bandsDb.length === 0 || bandsDb.length !== centersHz.length) return null;
  const scale = scaleSpectrum(bandsDb, centersHz, BOX);
  const line = linePath(scale.points);
  const bottom = BOX.height - BOX.bottom;
  const first = scale.points[0]!;
  const last = scale.points[scale.points.length - 1]!;
  const area = `${line} L${last.x.toFixed(1)},${bottom} L${first.x.toFixed(1)},${bottom} Z`;
  const summary = spectrumSummary(scale.peakHz, tiltDbPerOctave);
  return (
    <figure className="m-0">
      <svg
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        role="img"
        aria-label={summary}
        className="h-auto w-full max-w-md text-slate-500"
        data-testid="spectrum-plot"
      >
        <title>{summary}</title>
        {scale.yTicks.map((tick) => (
          <g key={tick.label}>
            <line x1={BOX.left} x2={BOX.width - BOX.right} y1={tick.y} y2={tick.y} stroke="#e2e8f0" />
            <text x={BOX.left - 4} y={tick.y + 3} textAnchor="end" fontSize="9" fill="#475569">
              {tick.label}
            </text>
          </g>
        ))}
        {scale.xTicks.map((tick) => (
          <g key={tick.label}>
            <line x1={tick.x} x2={tick.x} y1={BOX.top} y2={bottom} stroke="#f1f5f9" />
            <text x={tick.x} y={BOX.height - 8} textAnchor="middle" fontSize="9" fill="#475569">
              {tick.label}
            </text>
          </g>
        ))}
        <path d={area} fill="#c7d2fe" fillOpacity="0.6" />
        <path d={line} fill="none" stroke="#4338ca" strokeWidth="2" strokeLinejoin="round" />
      </svg>
      <figcaption className="text-xs text-slate-600">
        Spectrum: level of each frequency band in dB (relative), against frequency in Hz
      </figcaption>
    </figure>
  );
}
