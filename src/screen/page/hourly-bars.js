// Bars of GMV or paid orders per hour (plain HTML and CSS: they scale with any screen), the day
// before as a faint bar behind each hour's.

/** The bars in `container`; `show` draws 24 values of the day and of the day before. */
export function hourlyBars(container, fmt) {
  const scale = document.createElement('div');
  scale.className = 'hourly-scale';
  const bars = document.createElement('div');
  bars.className = 'hourly-bars';
  const labels = document.createElement('div');
  labels.className = 'hourly-labels';
  const hours = Array.from({ length: 24 }, (_, hour) => {
    const column = document.createElement('div');
    column.className = 'hour';
    column.dataset.hour = String(hour);
    const before = document.createElement('span');
    before.className = 'bar before';
    const day = document.createElement('span');
    day.className = 'bar day';
    column.append(before, day);
    bars.append(column);
    const label = document.createElement('span');
    label.textContent = hour % 3 === 0 ? fmt.minute(hour * 60).slice(0, 2) : '';
    labels.append(label);
    return { column, before, day };
  });
  container.replaceChildren(scale, bars, labels);

  return {
    /**
     * `day` and `before`: 24 values (or null); `kind`: `gmv` or `orders`; `untilHour`: the
     * hours after it are still to come (today), or null for a whole day.
     */
    show({ day, before, kind, untilHour, words, beforeName }) {
      const format = kind === 'gmv' ? fmt.money : fmt.count;
      const values = (list, hour) => (Array.isArray(list) && Number.isFinite(list[hour]) ? list[hour] : 0);
      let max = 0;
      for (let hour = 0; hour < 24; hour++) max = Math.max(max, values(day, hour), values(before, hour));
      scale.textContent = max > 0 ? (kind === 'gmv' ? fmt.moneyShort(max) : fmt.countShort(max)) : '';
      for (const [hour, { column, before: faint, day: bar }] of hours.entries()) {
        const value = values(day, hour), earlier = values(before, hour);
        const toCome = untilHour !== null && hour > untilHour;
        bar.style.height = `${max > 0 && !toCome ? (value / max) * 100 : 0}%`;
        faint.style.height = `${max > 0 && before ? (earlier / max) * 100 : 0}%`;
        column.dataset.value = String(toCome ? 0 : value);
        const range = words.hourRange(fmt.minute(hour * 60), fmt.minute((hour + 1) * 60 === 1440 ? 1439 : (hour + 1) * 60));
        column.title = `${range}: ${toCome ? '–' : format(value)}${before ? ` (${beforeName}: ${format(earlier)})` : ''}`;
      }
    },
  };
}
