// The channels' colours: the Okabe–Ito palette, which stays apart for the common colour
// blindnesses (red–green and blue–yellow alike), in a darker shade on a light background.
// Lines differ by dash as well, and are named at their ends, so colour is never the only cue.

const DARK = { webShop: '#56B4E9', appShop: '#E69F00', miniAppShop: '#009E73', other: '#CC79A7' };
const LIGHT = { webShop: '#0072B2', appShop: '#D55E00', miniAppShop: '#007A5A', other: '#B0578D' };
const MORE_DARK = ['#F0E442', '#D55E00', '#0072B2', '#BBBBBB'];
const MORE_LIGHT = ['#8A7F00', '#E69F00', '#56B4E9', '#555555'];
const DASHES = { webShop: [], appShop: [10, 5], miniAppShop: [2, 4], other: [12, 4, 2, 4] };
const MORE_DASHES = [[6, 3], [1, 3], [14, 3], [6, 3, 1, 3]];

function hash(code) {
  let value = 0;
  for (const char of String(code)) value = (value * 31 + char.charCodeAt(0)) >>> 0;
  return value;
}

/** Whether the page is in its light theme (the system's choice). */
export function lightTheme() {
  return window.matchMedia('(prefers-color-scheme: light)').matches;
}

/** The colour and dash of a channel's line, for the current theme. */
export function channelStyle(code) {
  const light = lightTheme();
  const known = (light ? LIGHT : DARK)[code];
  const more = light ? MORE_LIGHT : MORE_DARK;
  return {
    color: known ?? more[hash(code) % more.length],
    dash: DASHES[code] ?? MORE_DASHES[hash(code) % MORE_DASHES.length],
  };
}

/** A colour with an opacity (0..1), for faint lines and fills. */
export function withAlpha(color, alpha) {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (!hex) return color;
  const n = parseInt(hex[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** A CSS custom property of the page (the theme's colours), e.g. `--muted`. */
export function themeColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888888';
}

/** A small SVG line in a channel's colour and dash, as the chart draws it (for cards and keys); no code: the text colour. */
export function lineSample(code, faint = false, dashOverride = undefined) {
  const style = code === '' ? { color: themeColor('--text'), dash: [] } : channelStyle(code);
  const color = style.color;
  const dash = dashOverride ?? style.dash;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 28 8');
  svg.setAttribute('class', 'line-sample');
  svg.setAttribute('aria-hidden', 'true');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'line');
  for (const [name, value] of [['x1', '1'], ['y1', '4'], ['x2', '27'], ['y2', '4'], ['stroke', faint ? withAlpha(color, 0.45) : color], ['stroke-width', faint ? '2' : '3'], ['stroke-dasharray', dash.join(' ')]]) {
    line.setAttribute(name, value);
  }
  svg.append(line);
  return svg;
}
