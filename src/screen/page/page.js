// The sales screen: the figures of the day from the live snapshots of /events, the day's curve,
// hourly bars and comparisons from /api/day, any past day from the picker. Plain browser
// modules, no build step. Every part is drawn on its own: one that fails says so and the rest
// stays up to date.
import { curveChart, seriesOfView } from './curve-chart.js';
import { dayPicker } from './day-picker.js';
import { applyWords, byTestId, setText } from './dom.js';
import { figuresView } from './figures-view.js';
import { formatters } from './formats.js';
import { hourlyBars } from './hourly-bars.js';
import { lineSample } from './palette.js';
import { statusView } from './status-view.js';
import { wordsFor } from './words.js';

const DAY = /^\d{4}-\d\d-\d\d$/;
/** How often the day's view is read again at most while following today, and at least. */
const VIEW_MIN_GAP_MS = 3000;
const VIEW_REFRESH_MS = 60_000;
const DAYS_REFRESH_MS = 5 * 60_000;

/** For tests and the curious: what the page holds. */
const screen = (window.tradeflowScreen = { loadId: `${Date.now()}-${Math.random().toString(36).slice(2)}`, snapshots: 0, generatedAt: null, views: 0, curve: null, renderErrors: 0 });

async function loadConfig() {
  try {
    const response = await fetch('/api/config', { signal: AbortSignal.timeout(3000) });
    if (response.ok) return await response.json();
  } catch {
    // The server is not there yet: the page's defaults, and the stream connects when it is.
  }
  return { locale: document.documentElement.lang || 'en-US' };
}

const config = await loadConfig();
const words = wordsFor(config.locale);
const fmt = formatters(config.locale, config.currency);
document.documentElement.lang = config.locale;
document.title = words.pageTitle;

applyWords(document, words);
document.body.classList.remove('starting');

const initialDay = new URLSearchParams(location.search).get('day');
const stored = (key, allowed, fallback) => {
  try {
    const value = localStorage.getItem(key);
    return allowed.includes(value) ? value : fallback;
  } catch {
    return fallback;
  }
};
const state = {
  snapshot: null,
  serverOffsetMs: 0,
  connected: false,
  lostAt: null,
  /** After the stream came back: 'waiting' for its first snapshot, then that snapshot's time (the server's clock) and when it came. */
  reconnected: null,
  /** The day picked (yyyy-MM-dd), or null: today, live (the latest day when today has none). */
  picked: initialDay && DAY.test(initialDay) ? initialDay : null,
  view: null,
  viewError: null,
  days: [],
  curveMode: stored('tradeflow.curveMode', ['channels', 'total'], 'channels'),
  hourlyMode: stored('tradeflow.hourlyMode', ['gmv', 'orders'], 'gmv'),
  broken: new Map(),
  rowsSeen: '',
};

const figureViews = figuresView(fmt, words);
const statusViews = statusView(fmt, words);
const chart = curveChart(document.getElementById('chart'), fmt);
const bars = hourlyBars(byTestId('hourly'), fmt);
const picker = dayPicker({ select: byTestId('day-picker'), previous: byTestId('day-previous'), next: byTestId('day-next') }, fmt, words, (day) => {
  state.picked = day;
  history.replaceState(null, '', day === null ? location.pathname : `?day=${day}`);
  state.view = null;
  render();
  wantView(true);
});

const serverNow = () => Date.now() + state.serverOffsetMs;
const shownDay = () => state.picked ?? state.snapshot?.day ?? null;
/** The day's view, once it is of the day shown. */
const currentView = () => (state.view !== null && state.view.day === shownDay() ? state.view : null);

/** Draws one part of the page; a part that throws is named in a note, the others go on. */
function guarded(part, draw) {
  try {
    draw();
    state.broken.delete(part);
  } catch (error) {
    state.broken.set(part, error instanceof Error ? error.message : String(error));
    screen.renderErrors += 1;
    console.error(`tradeflow screen: cannot draw the ${part}`, error);
  }
}

function render() {
  guarded('figures', renderFigures);
  guarded('comparisons', renderComparisons);
  guarded('chart', renderChart);
  guarded('hourly bars', renderHourly);
  guarded('pipeline', renderPipeline);
  guarded('notes', renderNotes);
  guarded('banner', renderBanner);
  guarded('clock', renderClock);
  const note = byTestId('render-note');
  note.hidden = state.broken.size === 0;
  if (state.broken.size > 0) setText(note, words.brokenRender([...state.broken].map(([part, why]) => `${part}: ${why}`).join('; ')));
}

/** The rows and totals on the screen: the live snapshot's while following, else the picked day's (none yet: empty). */
function figures() {
  if (state.picked === null) return state.snapshot ? { rows: state.snapshot.rows, totals: state.snapshot.totals } : { rows: [], totals: null };
  const view = currentView();
  return view ? { rows: view.rows, totals: view.totals } : { rows: [], totals: null };
}

function renderFigures() {
  const snapshot = state.snapshot;
  const day = shownDay();
  const today = snapshot?.today ?? null;
  setText('title', state.picked !== null ? words.titlePast : day === null || day === today ? words.titleToday : words.titleLatest);
  setText('day', day === null ? '\u00a0' : `${fmt.longDay(day)} · ${snapshot?.zone ?? config.zone ?? ''}`);
  picker.setShown(state.picked, day);
  figureViews.figures({ day, ...figures() });
}

function renderComparisons() {
  figureViews.comparisons({ view: currentView(), ...figures() });
}

function renderChart() {
  const view = currentView();
  const empty = byTestId('chart-empty');
  const key = byTestId('chart-key');
  for (const button of document.querySelectorAll('[data-testid="curve-mode"] button')) button.setAttribute('aria-pressed', String(button.dataset.mode === state.curveMode));
  const nothing = view === null || (view.curve === null && view.yesterday.curve === null && view.lastWeek.curve === null);
  if (nothing) {
    chart.clear();
    screen.curve = null;
    key.replaceChildren();
    empty.hidden = false;
    empty.textContent = state.viewError ? words.viewError(state.viewError) : view?.historyError ? view.historyError : view ? words.noCurve : '';
    empty.hidden = empty.textContent === '';
    return;
  }
  empty.hidden = !(view.curve === null && !view.wholeDay);
  empty.textContent = view.curve === null && !view.wholeDay ? words.noCurveYet : '';
  const series = seriesOfView(view, state.curveMode, words);
  chart.show(series, view.wholeDay ? null : view.atMinute);
  screen.curve = { day: view.day, mode: state.curveMode, series: series.map((s) => ({ key: s.key, label: s.label, values: s.values })) };
  const beforeName = view.wholeDay ? words.dayBefore : words.yesterday;
  if (state.curveMode === 'channels' && view.yesterday.curve) {
    const sample = lineSample('', true, [8, 4]);
    const text = document.createElement('span');
    text.textContent = words.faintKey(beforeName);
    if (key.textContent !== text.textContent) key.replaceChildren(sample, text);
  } else key.replaceChildren();
}

function renderHourly() {
  const view = currentView();
  for (const button of document.querySelectorAll('[data-testid="hourly-mode"] button')) button.setAttribute('aria-pressed', String(button.dataset.mode === state.hourlyMode));
  bars.show({
    day: view?.curve?.hourly[state.hourlyMode] ?? null,
    before: view?.yesterday.curve?.hourly[state.hourlyMode] ?? null,
    kind: state.hourlyMode,
    untilHour: view === null || view.wholeDay ? null : Math.floor(view.atMinute / 60),
    words,
    beforeName: view?.wholeDay ? words.dayBefore : words.yesterday,
  });
}

function renderPipeline() {
  statusViews.pipeline(state.snapshot?.status, serverNow);
}

function renderNotes() {
  statusViews.notes({ snapshot: state.snapshot, picked: state.picked, view: currentView(), reconnected: state.reconnected });
}

function renderBanner() {
  statusViews.banner(state.snapshot, state.connected);
}

function renderClock() {
  if (state.snapshot) setText('clock', fmt.clock(serverNow(), state.snapshot.zone));
}

// Reading the day's view: at once when the day shown changes, at most every few seconds while
// today's figures change, and now and then anyway (the time of day moves on).
let viewTimer;
let viewInFlight = false;
let viewWanted = false;
let lastViewAt = 0;
function wantView(now = false) {
  viewWanted = true;
  if (viewInFlight) return;
  const changedDay = state.view?.day !== shownDay();
  const wait = now || changedDay || state.picked !== null ? 0 : Math.max(0, lastViewAt + VIEW_MIN_GAP_MS - Date.now());
  clearTimeout(viewTimer);
  viewTimer = setTimeout(fetchView, wait);
}
async function fetchView() {
  const day = shownDay();
  if (day === null) return;
  viewWanted = false;
  viewInFlight = true;
  lastViewAt = Date.now();
  try {
    const response = await fetch(`/api/day?day=${encodeURIComponent(day)}`);
    const body = await response.json();
    if (!response.ok) throw new Error(body?.error ?? `answer ${response.status}`);
    if (day === shownDay()) {
      state.view = body;
      state.viewError = null;
      screen.views += 1;
    }
  } catch (error) {
    state.viewError = error instanceof Error ? error.message : String(error);
  } finally {
    viewInFlight = false;
    render();
    if (viewWanted || day !== shownDay()) wantView();
  }
}

async function fetchDays() {
  try {
    const response = await fetch('/api/days');
    if (!response.ok) return;
    const body = await response.json();
    state.days = Array.isArray(body.days) ? body.days : [];
    picker.setDays(body.today, state.days);
  } catch {
    // Not now: the next snapshot or reconnection asks again.
  }
}

function onSnapshot(snapshot) {
  const dayBefore = shownDay();
  state.snapshot = snapshot;
  state.serverOffsetMs = snapshot.generatedAt - Date.now();
  if (state.reconnected === 'waiting') state.reconnected = { serverTime: snapshot.generatedAt, seenAt: Date.now() };
  screen.snapshots += 1;
  screen.generatedAt = snapshot.generatedAt;
  const seen = JSON.stringify([snapshot.day, snapshot.rows]);
  const rowsChanged = seen !== state.rowsSeen;
  state.rowsSeen = seen;
  if (snapshot.day !== null && !state.days.includes(snapshot.day)) void fetchDays();
  render();
  if (state.picked === null && (rowsChanged || shownDay() !== dayBefore)) wantView();
}

for (const button of document.querySelectorAll('[data-testid="curve-mode"] button')) {
  button.addEventListener('click', () => {
    state.curveMode = button.dataset.mode;
    try {
      localStorage.setItem('tradeflow.curveMode', state.curveMode);
    } catch {}
    guarded('chart', renderChart);
  });
}
for (const button of document.querySelectorAll('[data-testid="hourly-mode"] button')) {
  button.addEventListener('click', () => {
    state.hourlyMode = button.dataset.mode;
    try {
      localStorage.setItem('tradeflow.hourlyMode', state.hourlyMode);
    } catch {}
    guarded('hourly bars', renderHourly);
  });
}
window.matchMedia('(prefers-color-scheme: light)').addEventListener('change', () => render());

setInterval(() => {
  guarded('clock', renderClock);
  guarded('pipeline', renderPipeline);
  guarded('notes', renderNotes);
}, 1000);
setInterval(() => state.snapshot && wantView(), VIEW_REFRESH_MS);
setInterval(() => void fetchDays(), DAYS_REFRESH_MS);

function connect() {
  const events = new EventSource('/events');
  events.onopen = () => {
    state.connected = true;
    if (state.lostAt !== null) {
      state.lostAt = null;
      state.reconnected = 'waiting';
      void fetchDays();
      wantView(true);
    }
    render();
  };
  events.onmessage = (event) => {
    state.connected = true;
    let snapshot;
    try {
      snapshot = JSON.parse(event.data);
    } catch (error) {
      state.broken.set('snapshot', String(error)); // the last good figures stay, and the note says why
      render();
      return;
    }
    state.broken.delete('snapshot');
    onSnapshot(snapshot);
  };
  events.onerror = () => {
    if (state.connected) state.lostAt = Date.now();
    state.connected = false;
    render();
    // EventSource tries again by itself, except after an answer that is not a stream (a 5xx, say).
    if (events.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
  };
}
void fetchDays();
if (state.picked !== null) wantView(true);
connect();
render();
