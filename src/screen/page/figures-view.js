// The figures of the day shown: the totals, a card per channel, and each figure against the day
// before and the same day a week before (`▲ 12.3% vs yesterday`).
import { applyWords, byTestId, setText } from './dom.js';
import { channelStyle, lineSample } from './palette.js';

/** The figures' views in a locale's formats and words. */
export function figuresView(fmt, words) {
  /** Draws the totals and the cards of `rows` (a day's rows, or none yet). */
  function figures({ day, totals, rows }) {
    setText('total-gmv', totals ? fmt.money(totals.gmv) : '–');
    setText('total-orders', totals ? fmt.count(totals.paidOrders) : '–');
    setText('total-users', totals ? fmt.count(totals.payingUsers) : '–');
    setText('total-aov', totals && totals.paidOrders > 0 ? fmt.money(totals.gmv / totals.paidOrders) : '–');
    setText('total-last-pay', payTime(totals?.lastPayTime, day));
    renderChannels(rows ?? [], day);
  }

  /** Draws the comparisons of the totals and of each row with the day view's days (none: dashes). */
  function comparisons({ view, totals, rows }) {
    const gmvOf = (code) => (comparison) => comparison.channels[code]?.gmv ?? 0;
    showChanges(byTestId('changes-gmv'), 'gmv', totals?.gmv, (c) => c.total?.gmv, view && totals ? view : null);
    showChanges(byTestId('changes-orders'), 'orders', totals?.paidOrders, (c) => c.total?.orders, view && totals ? view : null);
    for (const row of rows ?? []) {
      const container = byTestId(`changes-${row.channelCode}`);
      if (container) showChanges(container, row.channelCode, row.gmv, gmvOf(row.channelCode), view);
    }
  }

  /** `16:16:16` when the payment is on the day shown, else the whole `yyyy-MM-dd HH:mm:ss`. */
  function payTime(text, day) {
    if (typeof text !== 'string' || text === '') return '–';
    return day && text.startsWith(day) ? text.slice(11, 19) : text;
  }

  function renderChannels(rows, day) {
    const container = byTestId('channels');
    const wanted = new Set(rows.map((row) => row.channelCode));
    for (const card of [...container.children]) if (!wanted.has(card.dataset.channel)) card.remove();
    rows.forEach((row, index) => {
      const code = row.channelCode;
      let card = container.querySelector(`[data-channel="${CSS.escape(code)}"]`);
      if (!card) {
        card = document.getElementById('channel-card').content.firstElementChild.cloneNode(true);
        applyWords(card, words);
        card.dataset.channel = code;
        card.dataset.testid = `channel-${code}`;
        for (const [selector, prefix] of [['.gmv', 'gmv'], ['.users', 'users'], ['.orders', 'orders'], ['.share', 'share'], ['.last-pay', 'last-pay'], ['.changes', 'changes']]) {
          card.querySelector(selector).dataset.testid = `${prefix}-${code}`;
        }
      }
      const style = channelStyle(code);
      if (card.dataset.color !== style.color) {
        card.dataset.color = style.color;
        card.style.setProperty('--channel-color', style.color);
        card.querySelector('.swatch').replaceChildren(lineSample(code));
      }
      if (container.children[index] !== card) container.insertBefore(card, container.children[index] ?? null);
      setText(card.querySelector('.name'), row.channelName);
      setText(`gmv-${code}`, fmt.money(row.gmv));
      setText(`users-${code}`, fmt.count(row.payingUsers));
      setText(`orders-${code}`, fmt.count(row.paidOrders));
      setText(`share-${code}`, words.share(fmt.percent(row.share)));
      setText(`last-pay-${code}`, payTime(row.lastPayTime, day));
      card.querySelector('.bar > span').style.width = `${Math.max(0, Math.min(100, row.share * 100)).toFixed(2)}%`;
    });
    container.style.setProperty('--channels', String(Math.max(rows.length, 1)));
  }

  /** `▲ 12.3% vs yesterday` and `▼ 2.1% vs last week` of a figure, into `container`. */
  function showChanges(container, id, current, pick, view) {
    const parts = [];
    for (const [which, comparison] of [['yesterday', view?.yesterday], ['lastweek', view?.lastWeek]]) {
      if (!comparison) continue;
      const known = comparison.source !== 'none';
      const base = known ? pick(comparison) : undefined;
      const change = known ? fmt.change(current, base, words) : { text: '–', trend: 'none' };
      const versus = view.wholeDay ? (which === 'yesterday' ? words.vsDayBefore : words.vsWeekBefore) : which === 'yesterday' ? words.vsYesterday : words.vsLastWeek;
      const item = document.createElement('span');
      item.className = `change ${change.trend}`;
      item.dataset.testid = `change-${which}-${id}`;
      item.dataset.base = base === undefined ? '' : String(base);
      item.title = known ? `${fmt.shortDay(comparison.day)}, ${view.wholeDay ? words.wholeDay : words.atTime(fmt.minute(view.atMinute))}` : words.noFigures(fmt.shortDay(comparison.day));
      const figure = document.createElement('b');
      figure.textContent = change.text;
      const label = document.createElement('span');
      label.className = 'vs';
      label.textContent = versus;
      item.append(figure, ' ', label);
      parts.push(item);
    }
    const signature = parts.map((p) => `${p.dataset.testid}:${p.textContent}:${p.title}`).join('|');
    if (container.dataset.signature !== signature) {
      container.dataset.signature = signature;
      container.replaceChildren(...parts);
    }
  }

  return { figures, comparisons };
}
