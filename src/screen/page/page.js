// The live sales screen: draws each snapshot that /events sends. Plain browser JS, no build step.
/* global uPlot */
'use strict';

(() => {
  const LOCALE = document.documentElement.lang || 'en-US';
  const money = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const count = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(LOCALE, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const compact = new Intl.NumberFormat(LOCALE, { notation: 'compact', maximumFractionDigits: 1 });
  const COLORS = { webShop: '#4f9dff', appShop: '#ff9f43', miniAppShop: '#2fd67b', other: '#b58cff' };
  const PALETTE = ['#ff6b81', '#ffd166', '#4dd0e1', '#f78fb3', '#9ccc65', '#90a4ae'];
  const MAX_POINTS = 4000;

  const byTestId = (id) => document.querySelector(`[data-testid="${CSS.escape(id)}"]`);
  const setText = (id, text) => {
    const element = byTestId(id);
    if (element && element.textContent !== text) element.textContent = text;
  };

  /** What the page knows: the last snapshot, the server's clock, whether the stream is open. */
  const state = { snapshot: null, serverOffsetMs: 0, connected: false };
  /** For tests and the curious: set once per load. */
  window.tradeflowScreen = { loadId: `${Date.now()}-${Math.random().toString(36).slice(2)}`, snapshots: 0, generatedAt: null };

  function colorOf(code) {
    if (COLORS[code]) return COLORS[code];
    let hash = 0;
    for (const char of code) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    return PALETTE[hash % PALETTE.length];
  }

  /** `16:16:16` when the payment is on the day shown, else the whole `yyyy-MM-dd HH:mm:ss`. */
  function payTime(text, day) {
    if (!text) return '–';
    return day && text.startsWith(day) ? text.slice(11, 19) : text;
  }

  function longDay(day) {
    const date = new Date(`${day}T12:00:00Z`);
    return new Intl.DateTimeFormat(LOCALE, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
  }

  function serverNow() {
    return Date.now() + state.serverOffsetMs;
  }

  function ago(ms) {
    if (ms < 1500) return 'just now';
    if (ms < 90_000) return `${Math.round(ms / 1000)} s ago`;
    if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min ago`;
    return `${(ms / 3_600_000).toFixed(1)} h ago`;
  }

  function render(snapshot) {
    state.snapshot = snapshot;
    state.serverOffsetMs = snapshot.generatedAt - Date.now();
    window.tradeflowScreen.snapshots += 1;
    window.tradeflowScreen.generatedAt = snapshot.generatedAt;
    const { day, today, totals, rows, status } = snapshot;

    setText('day-label', day === null || day === today ? 'today' : 'of the latest day');
    setText('day', `${longDay(day ?? today)} · ${snapshot.zone}`);
    const note = byTestId('day-note');
    note.hidden = day === today;
    if (day === null) note.textContent = 'The table has no sales yet: the figures appear with the first paid order.';
    else if (day !== today) note.textContent = `No sales in the table for today (${today}) yet: showing ${day}, the latest day it has.`;

    setText('total-gmv', money.format(totals.gmv));
    setText('total-orders', count.format(totals.paidOrders));
    setText('total-users', count.format(totals.payingUsers));
    setText('total-aov', totals.paidOrders > 0 ? money.format(totals.gmv / totals.paidOrders) : '–');
    setText('total-last-pay', payTime(totals.lastPayTime, day));

    renderChannels(rows, day);
    renderPipeline();
    renderBanner();
    renderClock();
    addChartPoint(snapshot);
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
        card.dataset.channel = code;
        card.dataset.testid = `channel-${code}`;
        card.style.setProperty('--channel-color', colorOf(code));
        for (const [selector, prefix] of [['.gmv', 'gmv'], ['.users', 'users'], ['.orders', 'orders'], ['.share', 'share'], ['.last-pay', 'last-pay']]) {
          card.querySelector(selector).dataset.testid = `${prefix}-${code}`;
        }
      }
      if (container.children[index] !== card) container.insertBefore(card, container.children[index] ?? null);
      card.querySelector('.name').textContent = row.channelName;
      setText(`gmv-${code}`, money.format(row.gmv));
      setText(`users-${code}`, count.format(row.payingUsers));
      setText(`orders-${code}`, count.format(row.paidOrders));
      setText(`share-${code}`, `${percent.format(row.share)} of GMV`);
      setText(`last-pay-${code}`, payTime(row.lastPayTime, day));
      card.querySelector('.bar > span').style.width = `${(row.share * 100).toFixed(2)}%`;
    });
    container.style.setProperty('--channels', String(Math.max(rows.length, 1)));
  }

  function renderPipeline() {
    const status = state.snapshot.status;
    const counters = status.counters;
    setText('counter-read', counters ? count.format(counters.read) : '–');
    setText('counter-rejected', counters ? count.format(counters.rejected) : '–');
    setText('counter-filtered', counters ? count.format(counters.filtered) : '–');
    if (status.lagMessages !== undefined) {
      setText('source-behind-label', 'Behind Kafka');
      setText('source-behind', `${count.format(status.lagMessages)} messages`);
    } else if (status.sourcePosition !== undefined) {
      setText('source-behind-label', 'Source read');
      setText('source-behind', status.sourcePosition);
    } else {
      setText('source-behind-label', 'Behind the source');
      setText('source-behind', status.pipeline === 'none' ? 'no pipeline here' : '–');
    }
    byTestId('source-behind').classList.toggle('long', status.lagMessages === undefined);
    setText('last-write', status.lastFlushMs !== undefined ? ago(Math.max(0, serverNow() - status.lastFlushMs)) : '–');
  }

  function renderBanner() {
    const snapshot = state.snapshot;
    const problems = [];
    if (!state.connected && snapshot) problems.push('Connection to the screen lost: reconnecting. The figures may be out of date.');
    if (snapshot?.status.pipeline === 'stopped') problems.push('Pipeline stopped: these figures are no longer being updated.');
    if (snapshot?.status.database === 'down') problems.push('Database unreachable: showing the last figures read.');
    else if (snapshot?.readError) problems.push(`Cannot read the table trade_channel_collect: ${snapshot.readError}`);
    const banner = byTestId('status-banner');
    banner.hidden = problems.length === 0;
    if (banner.textContent !== problems.join(' ')) banner.textContent = problems.join(' ');

    const live = byTestId('live');
    const running = state.connected && snapshot && problems.length === 0;
    const mode = !running ? 'stopped' : snapshot.status.pipeline === 'none' ? 'watching' : 'live';
    live.dataset.mode = mode;
    setText('live-text', { live: 'live', watching: 'watching the table', stopped: state.connected ? 'not updating' : 'offline' }[mode]);
  }

  function renderClock() {
    if (!state.snapshot) return;
    const time = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: state.snapshot.zone });
    setText('clock', time.format(new Date(serverNow())));
  }

  // The chart: GMV per channel through the day, from the snapshots received since the page opened.
  const chart = { day: null, codes: [], xs: [], ys: new Map(), plot: null };

  function addChartPoint(snapshot) {
    const empty = byTestId('chart-empty');
    if (snapshot.day === null || snapshot.day !== snapshot.today) {
      empty.hidden = false;
      empty.textContent = 'The chart follows today’s sales as they come in.';
      return;
    }
    empty.hidden = true;
    if (chart.day !== snapshot.day) Object.assign(chart, { day: snapshot.day, xs: [], ys: new Map() });
    const x = snapshot.generatedAt / 1000;
    const codes = snapshot.rows.map((row) => row.channelCode);
    // A channel without a row has sold nothing yet today: 0, before its row came and after it left.
    for (const code of codes) if (!chart.ys.has(code)) chart.ys.set(code, chart.xs.map(() => 0));
    const value = new Map(snapshot.rows.map((row) => [row.channelCode, row.gmv]));
    const n = chart.xs.length;
    const same = (i) => [...chart.ys].every(([code, ys]) => ys[i] === (value.get(code) ?? 0));
    if (n > 0 && x <= chart.xs[n - 1]) {
      chart.xs.length = n - 1; // the clock did not move on: the newest values replace the last point
      for (const ys of chart.ys.values()) ys.length = n - 1;
    } else if (n >= 2 && same(n - 1) && same(n - 2)) {
      chart.xs.length = n - 1; // a flat stretch: move its end instead of adding points
      for (const ys of chart.ys.values()) ys.length = n - 1;
    }
    chart.xs.push(x);
    for (const [code, ys] of chart.ys) ys.push(value.get(code) ?? 0);
    if (chart.xs.length > MAX_POINTS) {
      const keep = (_, i) => i % 2 === 0 || i === chart.xs.length - 1;
      chart.xs = chart.xs.filter(keep);
      for (const [code, ys] of chart.ys) chart.ys.set(code, ys.filter(keep));
    }
    const names = new Map(snapshot.rows.map((row) => [row.channelCode, row.channelName]));
    const allCodes = [...chart.ys.keys()];
    if (!chart.plot || allCodes.join() !== chart.codes.join()) buildPlot(allCodes, names, snapshot.zone);
    chart.plot.setData([chart.xs, ...allCodes.map((code) => chart.ys.get(code))]);
  }

  /** From the first point to the last, at least ten minutes (uPlot alone would give one point 1,000 days). */
  function xRange() {
    const first = chart.xs[0] ?? serverNow() / 1000;
    const last = chart.xs[chart.xs.length - 1] ?? first;
    const span = last - first;
    return span < 600 ? [last - 600, last + 30] : [first, last + span * 0.02];
  }

  function chartSize() {
    const box = document.getElementById('chart').getBoundingClientRect();
    return { width: Math.max(200, Math.floor(box.width)), height: Math.max(120, Math.floor(box.height) - 34) };
  }

  function buildPlot(codes, names, zone) {
    chart.plot?.destroy();
    chart.codes = codes;
    const hours = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone });
    const axis = { stroke: '#8b95a7', grid: { stroke: 'rgba(255,255,255,0.07)', width: 1 }, ticks: { stroke: 'rgba(255,255,255,0.12)', width: 1 } };
    chart.plot = new uPlot(
      {
        ...chartSize(),
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
        cursor: { drag: { x: false, y: false } },
        legend: { live: false },
        scales: {
          x: { time: true, range: xRange },
          y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [{ ...axis, values: (u, ticks) => ticks.map((ts) => hours.format(new Date(ts * 1000))) }, { ...axis, size: 64, values: (u, ticks) => ticks.map((v) => compact.format(v)) }],
        series: [
          {},
          ...codes.map((code) => ({
            label: names.get(code) ?? code,
            stroke: colorOf(code),
            width: 2.5,
            fill: `${colorOf(code)}14`,
            points: { show: (u) => u.data[0].length < 3, size: 7 },
            value: (u, v) => (v === null ? '–' : money.format(v)),
          })),
        ],
      },
      [[], ...codes.map(() => [])],
      document.getElementById('chart'),
    );
  }

  new ResizeObserver(() => chart.plot?.setSize(chartSize())).observe(document.getElementById('chart'));

  setInterval(() => {
    if (!state.snapshot) return;
    renderClock();
    renderPipeline();
  }, 1000);

  function connect() {
    const events = new EventSource('/events');
    events.onopen = () => {
      state.connected = true;
      renderBanner();
    };
    events.onmessage = (event) => {
      state.connected = true;
      render(JSON.parse(event.data));
    };
    events.onerror = () => {
      state.connected = false;
      renderBanner();
      // EventSource tries again by itself, except after an answer that is not a stream (a 5xx, say).
      if (events.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
    };
  }
  connect();
})();
