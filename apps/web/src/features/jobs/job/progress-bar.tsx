const TONES = { working: 'bg-indigo-600', failed: 'bg-red-600', stopped: 'bg-amber-500' } as const;

interface ProgressBarProps {
  value: number;
  label: string;
  size?: 'large' | 'small';
  /** A failed or cancelled job's bar stays where it stopped, in the colour of how it ended. */
  tone?: keyof typeof TONES;
}

/** A labelled 0–100 bar that assistive technology reads as a progress bar with its value. */
export function ProgressBar({ value, label, size = 'large', tone = 'working' }: ProgressBarProps) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={clamped}
      aria-valuetext={`${clamped}%`}
      className={`w-full overflow-hidden rounded-full bg-slate-200 ${size === 'large' ? 'h-3' : 'h-1.5'}`}
    >
      <div
        className={`h-full rounded-full ${TONES[tone]} transition-[width] duration-500`}
        style={{ width: `${clamped}%` }}
      />
    </div>
  );
}
