// Unit conversions shared by the stages, so no stage carries its own copy of a constant.

export const MS_PER_SECOND = 1000;
export const SECONDS_PER_MINUTE = 60;
export const SECONDS_PER_HOUR = 3_600;
export const MINUTES_PER_DAY = 1_440;
export const MS_PER_HOUR = SECONDS_PER_HOUR * MS_PER_SECOND;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Percentage points per unit of rate: a success rate of 0.95 is 95 points. */
export const POINTS_PER_RATE = 100;

export const percent = (rate: number, decimals = 1): string => `${(rate * POINTS_PER_RATE).toFixed(decimals)}%`;

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** An amount in major units of one currency: ₹ for rupees, else the ISO code; never summed across currencies. */
export function money(value: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-IN', {
      style: 'currency',
      currency,
      currencyDisplay: currency === 'INR' ? 'narrowSymbol' : 'code',
      maximumFractionDigits: 0,
    });
    moneyFormats.set(currency, format);
  }
  return format.format(value);
}
