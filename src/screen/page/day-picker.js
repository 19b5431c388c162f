// The day picker: today (live), or any past day that the table and the history hold, with a
// step to the day before and after. The day picked stays in the address (?day=), so a reload keeps it.

/** Wires the picker; `onPick(day)` is called with a `yyyy-MM-dd` day, or null for today (live). */
export function dayPicker({ select, previous, next }, fmt, words, onPick) {
  let days = [];
  let shown = null; // the day on the screen now (today's or the latest, when following)
  let today = null;

  const pick = (day) => onPick(day === null || day === today ? null : day);
  select.addEventListener('change', () => pick(select.value === '' ? null : select.value));
  // The list is newest first: "previous" is one further down it.
  const step = (by) => {
    const at = days.indexOf(shown);
    const target = at < 0 ? (by > 0 ? days[0] : undefined) : days[at + by];
    if (target !== undefined) pick(target);
  };
  previous.addEventListener('click', () => step(1));
  next.addEventListener('click', () => step(-1));

  const refreshButtons = () => {
    const at = days.indexOf(shown);
    previous.disabled = at < 0 ? days.length === 0 : at >= days.length - 1;
    next.disabled = at <= 0 && shown !== null && (shown === today || at === 0);
  };

  return {
    /** The days to offer, newest first (`yyyy-MM-dd`), and today. */
    setDays(todayDay, list) {
      today = todayDay;
      days = list.filter((day) => typeof day === 'string');
      const keep = select.value;
      const options = [new Option(words.followToday, '')];
      for (const day of days) options.push(new Option(fmt.shortDay(day), day));
      select.replaceChildren(...options);
      select.value = days.includes(keep) ? keep : '';
      refreshButtons();
    },
    /** What the screen shows: the picked day (null: following today) and the day on the screen. */
    setShown(picked, day) {
      shown = day;
      if (picked !== null && ![...select.options].some((option) => option.value === picked)) select.append(new Option(fmt.shortDay(picked), picked));
      select.value = picked ?? '';
      refreshButtons();
    },
  };
}
