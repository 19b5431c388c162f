// The day's curve (uPlot): cumulative GMV from midnight, per channel or in total, today's lines
// solid and named at their ends, the day before and the same day a week before as faint lines.
/* global uPlot */
import { channelStyle, themeColor, withAlpha } from './palette.js';

const MINUTES = 1440;
/** x runs over the ends of the minutes: at x the figures of the minutes before it (0 at midnight). */
const XS = Array.from({ length: MINUTES + 1 }, (_, x) => x);

/** A cumulative curve (minutes ascending, figures through each) as values at every x, null after `end`. */
function valuesOf(curve, end = MINUTES) {
  const values = new Array(MINUTES + 1).fill(null);
  let at = 0, gmv = 0;
  const minutes = curve?.minutes ?? [];
  for (let x = 0; x <= end; x++) {
    while (at < minutes.length && minutes[at] < x) gmv = curve.gmv[at++];
    values[x] = gmv;
  }
  return values;
}

/**
 * The lines to draw for a day view: `mode` is `channels` or `total`. Today's lines end now (the
 * minute after `atMinute`), a past day's at midnight; the comparison days run through the day.
 */
export function seriesOfView(view, mode, words) {
  // Today's line runs through the minute under way.
  const end = view.wholeDay ? MINUTES : Math.min(MINUTES, view.atMinute + 1);
  const [dayName, beforeName, weekName] = view.wholeDay ? [words.thisDay, words.dayBefore, words.weekBefore] : [words.today, words.yesterday, words.lastWeek];
  const text = themeColor('--text');
  if (mode === 'total') {
    return [
      ...(view.lastWeek.curve ? [{ key: 'week', label: weekName, values: valuesOf(view.lastWeek.curve.total), color: withAlpha(text, 0.38), dash: [2, 4], width: 1.5, endLabel: true }] : []),
      ...(view.yesterday.curve ? [{ key: 'before', label: beforeName, values: valuesOf(view.yesterday.curve.total), color: withAlpha(text, 0.5), dash: [8, 4], width: 2, endLabel: true }] : []),
      { key: 'day', label: dayName, values: valuesOf(view.curve?.total, end), color: text, dash: [], width: 3, endLabel: true, fill: withAlpha(text, 0.06) },
    ];
  }
  const codes = [...new Set([...(view.curve?.channels ?? []), ...(view.yesterday.curve?.channels ?? [])].map((c) => c.channelCode))].sort();
  const series = [];
  for (const code of codes) {
    const { color, dash } = channelStyle(code);
    const before = view.yesterday.curve?.channels.find((c) => c.channelCode === code);
    if (before) series.push({ key: `before:${code}`, label: `${view.names[code] ?? code} (${beforeName})`, values: valuesOf(before), color: withAlpha(color, 0.4), dash, width: 1.5, endLabel: false });
  }
  for (const code of codes) {
    const { color, dash } = channelStyle(code);
    const today = view.curve?.channels.find((c) => c.channelCode === code);
    series.push({ key: `day:${code}`, label: view.names[code] ?? code, values: valuesOf(today, end), color, dash, width: 2.5, endLabel: true });
  }
  return series;
}

/** The chart in `container`; `show` draws a list of series (see {@link seriesOfView}). */
export function curveChart(container, fmt) {
  let plot = null;
  let keys = '';
  let shown = [];
  let nowX = null;

  /** The page's rem in CSS pixels over 15: the chart grows with the text on a wall screen. */
  const unit = () => (parseFloat(getComputedStyle(document.documentElement).fontSize) || 15) / 15;
  const fontPx = () => Math.max(11, Math.round(12 * unit()));
  const size = () => {
    const box = container.getBoundingClientRect();
    return { width: Math.max(200, Math.floor(box.width)), height: Math.max(140, Math.floor(box.height)) };
  };
  /** Room on the right for the names at the lines' ends. */
  const labelRoom = () => {
    const context = document.createElement('canvas').getContext('2d');
    context.font = `600 ${fontPx()}px system-ui, sans-serif`;
    const widest = Math.max(0, ...shown.filter((s) => s.endLabel).map((s) => context.measureText(s.label).width));
    return Math.min(Math.ceil(widest) + 14, Math.floor(size().width * 0.32));
  };

  function drawEndLabels(u) {
    const context = u.ctx;
    const ratio = devicePixelRatio || 1;
    const px = fontPx();
    const labels = [];
    shown.forEach((series, i) => {
      if (!series.endLabel) return;
      const values = u.data[i + 1];
      let last = values.length - 1;
      while (last >= 0 && values[last] === null) last--;
      if (last < 0) return;
      labels.push({ text: series.label, color: series.color, x: u.valToPos(last, 'x', true), y: u.valToPos(values[last], 'y', true) });
    });
    // Names of lines that end close together are pushed apart, within the plot.
    labels.sort((a, b) => a.y - b.y);
    const gap = (px + 3) * ratio;
    const top = u.bbox.top + gap / 2, bottom = u.bbox.top + u.bbox.height;
    for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + gap);
    const overflow = labels.length > 0 ? labels[labels.length - 1].y - bottom : 0;
    if (overflow > 0) for (const label of labels) label.y -= overflow;
    for (let i = 0; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, top + i * gap);
    context.save();
    context.font = `600 ${px * ratio}px system-ui, sans-serif`;
    context.textBaseline = 'middle';
    context.textAlign = 'left';
    context.lineJoin = 'round';
    context.lineWidth = 3 * ratio;
    context.strokeStyle = themeColor('--panel');
    for (const label of labels) {
      context.fillStyle = label.color;
      const x = label.x + 6 * ratio;
      context.strokeText(label.text, x, label.y);
      context.fillText(label.text, x, label.y);
    }
    context.restore();
  }

  function drawNow(u) {
    if (nowX === null) return;
    const ratio = devicePixelRatio || 1;
    const x = u.valToPos(nowX, 'x', true);
    const context = u.ctx;
    context.save();
    context.strokeStyle = withAlpha(themeColor('--muted'), 0.7);
    context.setLineDash([3 * ratio, 3 * ratio]);
    context.lineWidth = ratio;
    context.beginPath();
    context.moveTo(x, u.bbox.top);
    context.lineTo(x, u.bbox.top + u.bbox.height);
    context.stroke();
    context.restore();
  }

  function build() {
    plot?.destroy();
    const muted = themeColor('--muted');
    const grid = themeColor('--grid');
    const font = `${fontPx()}px system-ui, sans-serif`;
    const narrow = size().width < 520;
    const u = unit();
    const axis = { stroke: muted, font, gap: 5 * u, grid: { stroke: grid, width: u }, ticks: { stroke: grid, width: u, size: 4 * u } };
    plot = new uPlot(
      {
        ...size(),
        padding: [10, labelRoom(), 0, 0],
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false }, y: false },
        scales: { x: { time: false, range: [0, MINUTES] }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] } },
        axes: [
          { ...axis, size: 30 * u, splits: () => Array.from({ length: narrow ? 5 : 9 }, (_, i) => i * (narrow ? 360 : 180)), values: (_, splits) => splits.map((x) => fmt.minute(x)) },
          { ...axis, size: (narrow ? 48 : 64) * u, space: 34 * u, values: (_, splits) => splits.map((v) => fmt.moneyShort(v)) },
        ],
        series: [{}, ...shown.map((s) => ({ label: s.label, stroke: s.color, width: s.width * u, dash: s.dash.map((d) => d * u), fill: s.fill, points: { show: false }, spanGaps: false }))],
        hooks: { draw: [drawNow, drawEndLabels] },
      },
      [XS, ...shown.map((s) => s.values)],
      container,
    );
  }

  new ResizeObserver(() => plot?.setSize(size())).observe(container);
  window.matchMedia('(prefers-color-scheme: light)').addEventListener('change', () => shown.length > 0 && build());

  return {
    /** Draws these series; `now` is the x of now (a faint vertical line), or null. */
    show(series, now) {
      shown = series;
      nowX = now;
      const next = series.map((s) => `${s.key}=${s.label}`).join('|');
      if (plot === null || next !== keys) {
        keys = next;
        build();
      } else {
        plot.setData([XS, ...series.map((s) => s.values)]);
      }
    },
    clear() {
      plot?.destroy();
      plot = null;
      keys = '';
      shown = [];
    },
  };
}
