// Days as the server judges them (UTC), for tests that log hours.

/** Monday of last week, plus `offset` days, as yyyy-mm-dd (UTC). */
export function lastWeek(offset: number): string {
  const now = new Date();
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7) - 7 + offset);
  return monday.toISOString().slice(0, 10);
}
