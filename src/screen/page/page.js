// The sales screen: the figures of the day from the live snapshots of /events, the day's curve,
// hourly bars and comparisons from /api/day, any past day from the picker. Plain browser
// modules, no build step. Every part is drawn on its own: one that fails says so and the rest
// stays up to date.
import { curveChart, seriesOfView } from './curve-chart.js';
import { dayPicker } from './day-picker.js';
import { formatters } from './formats.js';
import { hourlyBars } from './hourly-bars.js';
import { channelStyle, lineSample } from './palette.js';
import { wordsFor } from './words.js';

const byTestId = (id) => document.querySelector(`[data-testid="${CSS.escape(id)}"]`);
const setText = (id, text) => {
  const element = typeof id === 'string' ? byTestId(id) : id;
  if (element && element.textContent !== text) element.textContent = text;
};
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

/** Puts the page's words into the elements that name them (data-word, data-word-title, data-word-label). */
function applyWords(root) {
  for (const element of root.querySelectorAll('[data-word]')) {
    const word = words[element.dataset.word];
    if (typeof word === 'string') element.textContent = word;
  }
  for (const element of root.querySelectorAll('[data-word-title]')) element.title = words[element.dataset.wordTitle] ?? element.title;
  for (const element of root.querySelectorAll('[data-word-label]')) element.setAttribute('aria-label', words[element.dataset.wordLabel] ?? '');
}
applyWords(document);
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

/** The rows and totals on the screen: the live snapshot's while following, else the picked day's. */
function figures() {
  if (state.picked === null) return state.snapshot ? { rows: state.snapshot.rows, totals: state.snapshot.totals } : null;
  const view = currentView();
  return view ? { rows: view.rows, totals: view.totals } : null;
}

function renderFigures() {
  const snapshot = state.snapshot;
  const day = shownDay();
  const today = snapshot?.today ?? null;
  setText('title', state.picked !== null ? words.titlePast : day === null || day === today ? words.titleToday : words.titleLatest);
  setText('day', day === null ? '\u00a0' : `${fmt.longDay(day)} · ${snapshot?.zone ?? config.zone ?? ''}`);
  picker.setShown(state.picked, day);
  const shown = figures();
  const totals = shown?.totals;
  setText('total-gmv', totals ? fmt.money(totals.gmv) : '–');
  setText('total-orders', totals ? fmt.count(totals.paidOrders) : '–');
  setText('total-users', totals ? fmt.count(totals.payingUsers) : '–');
  setText('total-aov', totals && totals.paidOrders > 0 ? fmt.money(totals.gmv / totals.paidOrders) : '–');
  setText('total-last-pay', payTime(totals?.lastPayTime, day));
  renderChannels(shown?.rows ?? [], day);
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
      applyWords(card);
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

function renderComparisons() {
  const view = currentView();
  const shown = figures();
  const totals = shown?.totals;
  const gmvOf = (code) => (comparison) => comparison.channels[code]?.gmv ?? 0;
  showChanges(byTestId('changes-gmv'), 'gmv', totals?.gmv, (c) => c.total?.gmv, view && totals ? view : null);
  showChanges(byTestId('changes-orders'), 'orders', totals?.paidOrders, (c) => c.total?.orders, view && totals ? view : null);
  for (const row of shown?.rows ?? []) {
    const container = byTestId(`changes-${row.channelCode}`);
    if (container) showChanges(container, row.channelCode, row.gmv, gmvOf(row.channelCode), view);
  }
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

function ago(ms) {
  if (ms < 1500) return words.justNow;
  if (ms < 90_000) return words.secondsAgo(Math.round(ms / 1000));
  if (ms < 90 * 60_000) return words.minutesAgo(Math.round(ms / 60_000));
  return words.hoursAgo((ms / 3_600_000).toFixed(1));
}

function renderPipeline() {
  const status = state.snapshot?.status;
  const counters = status?.counters;
  setText('counter-read', counters ? fmt.count(counters.read) : '–');
  setText('counter-rejected', counters ? fmt.count(counters.rejected) : '–');
  setText('counter-filtered', counters ? fmt.count(counters.filtered) : '–');
  if (status?.lagMessages !== undefined) {
    setText('source-behind-label', words.behindKafka);
    setText('source-behind', words.messages(fmt.count(status.lagMessages)));
  } else if (status?.sourcePosition !== undefined) {
    setText('source-behind-label', words.sourceRead);
    setText('source-behind', status.sourcePosition);
  } else {
    setText('source-behind-label', words.behindSource);
    setText('source-behind', status?.pipeline === 'none' ? words.noPipeline : '–');
  }
  byTestId('source-behind').classList.toggle('long', status?.lagMessages === undefined);
  setText('last-write', status?.lastFlushMs !== undefined ? ago(Math.max(0, serverNow() - status.lastFlushMs)) : '–');
}

function renderNotes() {
  const snapshot = state.snapshot;
  const note = byTestId('day-note');
  const day = snapshot?.day ?? null;
  const following = state.picked === null && snapshot !== null;
  note.hidden = !following || day === snapshot.today;
  if (following && day === null) setText(note, words.emptyTable);
  else if (following && day !== snapshot.today) setText(note, words.noToday(snapshot.today, day));
  const skipped = state.picked === null ? snapshot?.skipped : currentView()?.skipped;
  const skippedNote = byTestId('skipped-note');
  skippedNote.hidden = !skipped;
  if (skipped) setText(skippedNote, words.skipped(skipped.count, skipped.first));
  const reconnected = byTestId('reconnected-note');
  const again = state.reconnected;
  const showReconnected = again !== null && again !== 'waiting' && Date.now() - again.seenAt < 20_000;
  reconnected.hidden = !showReconnected;
  if (showReconnected && snapshot) setText(reconnected, words.reconnected(fmt.clock(again.serverTime, snapshot.zone)));
}

function renderBanner() {
  const snapshot = state.snapshot;
  const problems = [];
  if (!state.connected && snapshot) problems.push(words.lost);
  if (snapshot?.status.pipeline === 'stopped') problems.push(words.pipelineStopped);
  if (snapshot?.status.database === 'down') problems.push(words.databaseDown);
  else if (snapshot?.readError) problems.push(words.readError(snapshot.readError));
  const banner = byTestId('status-banner');
  banner.hidden = problems.length === 0;
  setText(banner, problems.join(' '));
  const live = byTestId('live');
  const running = state.connected && snapshot && problems.length === 0;
  const mode = !running ? 'stopped' : snapshot.status.pipeline === 'none' ? 'watching' : 'live';
  live.dataset.mode = snapshot ? mode : 'connecting';
  setText('live-text', !snapshot ? words.connecting : { live: words.live, watching: words.watching, stopped: state.connected ? words.notUpdating : words.offline }[mode]);
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
      state.broken.set('snapshot', String(error));
      return;
    }
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
