/**
 * When reconciliation and cycle counts are due: a pure function of the clock and the settings.
 * Every slot has a key; the server claims a key once across every API process, so a slot runs
 * once however many processes tick.
 */

export type ScheduleSettings = {
  /** The hour (UTC, 0-23) from which the daily reconciliation of every SKU is due. */
  dailyHour: number;
  /** The hour (UTC, 0-23) from which the morning's cycle counts are due. */
  countHour: number;
};

export type SlotKind = 'fast' | 'all' | 'counts';
export type Slot = { kind: SlotKind; key: string };

/** The slots due at `now`: the fast movers every hour, every SKU once a day, cycle counts once each morning. */
export function dueSlots(now: Date, s: ScheduleSettings): Slot[] {
  const iso = now.toISOString();
  const day = iso.slice(0, 10);
  const hour = now.getUTCHours();
  const out: Slot[] = [{ kind: 'fast', key: `fast:${iso.slice(0, 13)}` }];
  if (hour >= s.dailyHour) out.push({ kind: 'all', key: `all:${day}` });
  if (hour >= s.countHour) out.push({ kind: 'counts', key: `counts:${day}` });
  return out;
}

/** The UTC day (YYYY-MM-DD) of `now`, and the one before. */
export function dayOf(now: Date): { today: string; yesterday: string } {
  return { today: now.toISOString().slice(0, 10), yesterday: new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10) };
}
