import { Link, useInRouterContext } from 'react-router';

import { ApiError } from '../../api/client';

/** The package the API's 402 suggests: the cheapest one that covers the shortfall. */
export interface SuggestedPackage {
  id: string;
  name: string;
  minutes: number;
}

/** The 402 INSUFFICIENT_CREDITS details the client acts on (credit-seconds; minutes rounded up). */
export interface InsufficientCredits {
  shortfall: number;
  shortfallMinutes: number;
  suggestedPackage?: SuggestedPackage;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The payment gate's details when `error` is the API's 402 INSUFFICIENT_CREDITS, else undefined. */
export function insufficientCreditsOf(error: unknown): InsufficientCredits | undefined {
  if (!(error instanceof ApiError) || error.code !== 'INSUFFICIENT_CREDITS') return undefined;
  const details = isRecord(error.details) ? error.details : {};
  const shortfall = typeof details['shortfall'] === 'number' ? details['shortfall'] : 0;
  const shortfallMinutes = typeof details['shortfallMinutes'] === 'number' ? details['shortfallMinutes'] : 0;
  const suggested = details['suggestedPackage'];
  const suggestedPackage =
    isRecord(suggested) &&
    typeof suggested['id'] === 'string' &&
    typeof suggested['name'] === 'string' &&
    typeof suggested['minutes'] === 'number'
      ? { id: suggested['id'], name: suggested['name'], minutes: suggested['minutes'] }
      : undefined;
  return { shortfall, shortfallMinutes, ...(suggestedPackage ? { suggestedPackage } : {}) };
}

/** Where "Buy credits" leads: the buy page with the suggested package chosen. */
export function buyCreditsHref(gate: InsufficientCredits): string {
  return gate.suggestedPackage
    ? `/billing/buy?package=${encodeURIComponent(gate.suggestedPackage.id)}`
    : '/billing/buy';
}

const BUTTON =
  'inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700';

/**
 * The way out of a 402: straight to the package that covers the shortfall. A router link inside the app (no
 * reload, the session stays in memory); a plain link where an error is shown outside the router.
 */
export function BuyCreditsLink({ gate }: { gate: InsufficientCredits }) {
  const inRouter = useInRouterContext();
  const href = buyCreditsHref(gate);
  return inRouter ? (
    <Link to={href} className={BUTTON}>
      Buy credits
    </Link>
  ) : (
    <a href={href} className={BUTTON}>
      Buy credits
    </a>
  );
}
