// Seasonal volume profiles: what a dimension usually carries at this time of the week (and, in its
// first week, at this time of the day), learned online, so a predictable fall (a mandate batch that
// ends, a quiet Sunday) is not read as a stalled feed. Kept only for dimensions above a volume floor,
// which bounds the state.
import type { AgentConfig } from './config';
import { MINUTES_PER_DAY, MS_PER_SECOND, SECONDS_PER_MINUTE } from './units';

type SeasonalSettings = Pick<AgentConfig, 'seasonalSlotMinutes'>;

const DAYS_PER_WEEK = 7;
/** Marks a slot never seen; volumes are never negative. */
const UNSEEN = -1;
/** Weight of the newest week (or day) in a slot: a rhythm that changes is followed within a few. */
const SLOT_WEIGHT = 0.5;

export interface Season {
  /** Mean attempts per window by day of the week and slot of the day; UNSEEN while never seen. */
  week: number[][];
  /** The same by slot of the day alone, which the first week falls back on. */
  day: number[];
  /** The slot (counted from the epoch) being accumulated, with its windows' attempts and count. */
  slot: number;
  sum: number;
  windows: number;
}

const slotMs = (config: SeasonalSettings): number => config.seasonalSlotMinutes * SECONDS_PER_MINUTE * MS_PER_SECOND;
const slotsPerDay = (config: SeasonalSettings): number => Math.max(1, Math.round(MINUTES_PER_DAY / config.seasonalSlotMinutes));

/** The slot a window falls in, counted from the epoch (UTC; only its place in the day and week matters). */
export const slotOf = (windowStart: number, config: SeasonalSettings): number => Math.floor(windowStart / slotMs(config));

/** Where an absolute slot lies: day of the week and slot of the day. */
function placeOf(slot: number, config: SeasonalSettings): { day: number; ofDay: number } {
  const perDay = slotsPerDay(config);
  const ofWeek = ((slot % (perDay * DAYS_PER_WEEK)) + perDay * DAYS_PER_WEEK) % (perDay * DAYS_PER_WEEK);
  return { day: Math.floor(ofWeek / perDay), ofDay: ofWeek % perDay };
}

export function emptySeason(slot: number, config: SeasonalSettings): Season {
  const perDay = slotsPerDay(config);
  return {
    week: Array.from({ length: DAYS_PER_WEEK }, () => new Array<number>(perDay).fill(UNSEEN)),
    day: new Array<number>(perDay).fill(UNSEEN),
    slot,
    sum: 0,
    windows: 0,
  };
}

/** Attempts per window usually seen at this window's time: same slot last week, else yesterday; null before either. */
export function seasonalExpectation(season: Season | undefined, windowStart: number, config: SeasonalSettings): number | null {
  if (!season) return null;
  const { day, ofDay } = placeOf(slotOf(windowStart, config), config);
  const weekly = season.week[day]?.[ofDay] ?? UNSEEN;
  if (weekly !== UNSEEN) return weekly;
  const daily = season.day[ofDay] ?? UNSEEN;
  return daily !== UNSEEN ? daily : null;
}

const blend = (previous: number, observed: number): number => (previous === UNSEEN ? observed : previous + SLOT_WEIGHT * (observed - previous));

/** The finished slot's mean written into its places; arrays are copied only here, once per slot. */
function closeSlot(season: Season, config: SeasonalSettings): Season {
  if (season.windows === 0) return season;
  const mean = season.sum / season.windows;
  const { day, ofDay } = placeOf(season.slot, config);
  const week = [...season.week];
  const weekDay = [...(week[day] as number[])];
  weekDay[ofDay] = blend(weekDay[ofDay] ?? UNSEEN, mean);
  week[day] = weekDay;
  const daily = [...season.day];
  daily[ofDay] = blend(daily[ofDay] ?? UNSEEN, mean);
  return { ...season, week, day: daily };
}

/**
 * Folds a window's attempts into the profile: what the dimension carried, stalls included. Unlike a
 * baseline it does not freeze on a finding: it only ever lowers the expectation where the same time
 * was low before (the recent level bounds it from above), a stall enters at half weight (so a full
 * stall at the same time the next day is still far below it), and a step that recurs (a batch that
 * ends at 10:30) is learned from its first occurrence even while that one is still paged.
 */
export function foldSeason(season: Season | undefined, volume: number, windowStart: number, config: SeasonalSettings): Season {
  const slot = slotOf(windowStart, config);
  const current = season ?? emptySeason(slot, config);
  if (current.slot !== slot) return { ...closeSlot(current, config), slot, sum: volume, windows: 1 };
  return { ...current, sum: current.sum + volume, windows: current.windows + 1 };
}
