// Numbers, amounts and times for people, in the page's locale and currency (Intl). A value that
// is not a number shows as a dash: one bad figure never breaks a whole render.

/** The formatters of a locale and an optional ISO 4217 currency. */
export function formatters(locale, currency) {
  const amount = currency ? { style: 'currency', currency } : { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  const money = new Intl.NumberFormat(locale, amount);
  const moneyShort = new Intl.NumberFormat(locale, { ...(currency ? { style: 'currency', currency } : {}), notation: 'compact', maximumFractionDigits: 1 });
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const countShort = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const longDay = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const shortDay = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  const minuteOfDay = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
  const clocks = new Map();
  const safe = (format) => (value) => (typeof value === 'number' && Number.isFinite(value) ? format(value) : '–');
  const dayDate = (day) => {
    const date = typeof day === 'string' && /^\d{4}-\d\d-\d\d$/.test(day) ? new Date(`${day}T12:00:00Z`) : new Date(NaN);
    return Number.isNaN(date.getTime()) ? null : date;
  };
  return {
    locale,
    currency,
    money: safe((v) => money.format(v)),
    moneyShort: safe((v) => moneyShort.format(v)),
    count: safe((v) => count.format(v)),
    countShort: safe((v) => countShort.format(v)),
    percent: safe((v) => percent.format(v)),
    /** `Thursday, March 25, 2021`; the text itself when it is not a day. */
    longDay: (day) => {
      const date = dayDate(day);
      return date === null ? String(day ?? '') : longDay.format(date);
    },
    shortDay: (day) => {
      const date = dayDate(day);
      return date === null ? String(day ?? '') : shortDay.format(date);
    },
    /** `16:20` of a minute of the day (0..1440). */
    minute: (minute) => minuteOfDay.format(new Date(Date.UTC(2000, 0, 1, 0, Math.round(minute)))),
    /** `16:20:00` of an instant in a zone. */
    clock: (epochMs, zone) => {
      let format = clocks.get(zone);
      if (!format) {
        try {
          format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: zone });
        } catch {
          format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
        }
        clocks.set(zone, format);
      }
      return format.format(new Date(epochMs));
    },
    /**
     * A change against a base as people read it: `▲ 12.3%`, `▼ 2.1%`, `= 0.0%`; `new` when the
     * base is zero and the figure is not; a dash when both are zero or the base is unknown.
     */
    change: (current, base, words) => {
      if (typeof base !== 'number' || !Number.isFinite(base) || typeof current !== 'number' || !Number.isFinite(current)) return { text: '–', trend: 'none' };
      if (base === 0) return current > 0 ? { text: `▲ ${words.isNew}`, trend: 'up' } : { text: '–', trend: 'none' };
      const ratio = current / base - 1;
      const shown = percent.format(Math.abs(ratio));
      if (shown === percent.format(0)) return { text: `= ${shown}`, trend: 'flat' };
      return ratio > 0 ? { text: `▲ ${shown}`, trend: 'up' } : { text: `▼ ${shown}`, trend: 'down' };
    },
  };
}
