// The run's side of the page: the pipeline's counters, the banner of what is wrong, the notes
// (no sales today yet, rows left out, reconnected) and the live indicator.
import { byTestId, setText } from './dom.js';

/** The status views in a locale's formats and words. */
export function statusView(fmt, words) {
  function ago(ms) {
    if (ms < 1500) return words.justNow;
    if (ms < 90_000) return words.secondsAgo(Math.round(ms / 1000));
    if (ms < 90 * 60_000) return words.minutesAgo(Math.round(ms / 60_000));
    return words.hoursAgo((ms / 3_600_000).toFixed(1));
  }

  /** The counters and the source's position of a snapshot's status; `serverNow` for "last write". */
  function pipeline(status, serverNow) {
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

  /** The notes: `picked` (null: following today), the shown day's `view`, and the time of a reconnection. */
  function notes({ snapshot, picked, view, reconnected: again }) {
    const note = byTestId('day-note');
    const day = snapshot?.day ?? null;
    const following = picked === null && snapshot !== null;
    note.hidden = !following || day === snapshot.today;
    if (following && day === null) setText(note, words.emptyTable);
    else if (following && day !== snapshot.today) setText(note, words.noToday(snapshot.today, day));
    const skipped = picked === null ? snapshot?.skipped : view?.skipped;
    const skippedNote = byTestId('skipped-note');
    skippedNote.hidden = !skipped;
    if (skipped) setText(skippedNote, words.skipped(skipped.count, skipped.first));
    const reconnected = byTestId('reconnected-note');
    const showReconnected = again !== null && again !== 'waiting' && Date.now() - again.seenAt < 20_000;
    reconnected.hidden = !showReconnected;
    if (showReconnected && snapshot) setText(reconnected, words.reconnected(fmt.clock(again.serverTime, snapshot.zone)));
  }

  /** The banner of problems and the live indicator; `connected`: the event stream is open. */
  function banner(snapshot, connected) {
    const problems = [];
    if (!connected && snapshot) problems.push(words.lost);
    if (snapshot?.status.pipeline === 'stopped') problems.push(words.pipelineStopped);
    if (snapshot?.status.database === 'down') problems.push(words.databaseDown);
    else if (snapshot?.readError) problems.push(words.readError(snapshot.readError));
    const banner = byTestId('status-banner');
    banner.hidden = problems.length === 0;
    setText(banner, problems.join(' '));
    const live = byTestId('live');
    const running = connected && snapshot && problems.length === 0;
    const mode = !running ? 'stopped' : snapshot.status.pipeline === 'none' ? 'watching' : 'live';
    live.dataset.mode = snapshot ? mode : 'connecting';
    setText('live-text', !snapshot ? words.connecting : { live: words.live, watching: words.watching, stopped: connected ? words.notUpdating : words.offline }[mode]);
  }

  return { pipeline, notes, banner };
}
