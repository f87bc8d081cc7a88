// Unit conversions shared by the stages, so no stage carries its own copy of a constant.

export const MS_PER_SECOND = 1000;

/** Percentage points per unit of rate: a success rate of 0.95 is 95 points. */
export const POINTS_PER_RATE = 100;

export const percent = (rate: number, decimals = 1): string => `${(rate * POINTS_PER_RATE).toFixed(decimals)}%`;
