/**
 * The check that a feed is not all rejects: a stream in a layout the run was not told about
 * (other field names, another time format, change messages) is rejected message by message, and a
 * run that reports "rejected 4 | rows written 0" and succeeds hides that. The first messages of a
 * run are judged once: when more than a share of them is rejected, the feed is refused.
 */
import type { Logger } from './log.ts';

/** How a run judges its feed. */
export interface FeedCheckOptions {
  /** The messages judged: the first this many of the run (or all, when it reads fewer). Default: 10,000. */
  readonly firstMessages?: number;
  /** The feed is refused when more than this share (0..1) of them is rejected; 1 never refuses. Default: 0.5. */
  readonly maxRejectedShare?: number;
}

/** Messages judged by default. */
export const DEFAULT_FEED_MESSAGES = 10_000;
/** Share of rejects above which a feed is refused, by default. */
export const DEFAULT_MAX_REJECTED_SHARE = 0.5;

/** The verdict on a refused feed. */
export interface FeedRefusal {
  readonly judged: number;
  readonly rejected: number;
  /** The most common reason, without its culprit (`order_time: not a yyyy-MM-dd HH:mm:ss timestamp`). */
  readonly reason: string;
  /** One line saying so. */
  readonly line: string;
}

/** A feed being judged: each message's outcome goes in until the verdict. */
export interface FeedCheck {
  /** False once the verdict is in: nothing more needs to be told. */
  readonly open: boolean;
  /** One message read: its reject reason, or undefined when it was accepted. */
  record(reason: string | undefined): void;
  /** The source ended: judge what was read, if the verdict is not in yet. */
  finish(): void;
  /** The refusal, once the verdict is in and it refuses; undefined otherwise. */
  readonly refusal: FeedRefusal | undefined;
}

/** A check of a run's first messages; `onRefused` is called once, when the feed is refused. */
export function createFeedCheck(options: FeedCheckOptions = {}, onRefused: (refusal: FeedRefusal) => void = () => {}): FeedCheck {
  const { firstMessages = DEFAULT_FEED_MESSAGES, maxRejectedShare = DEFAULT_MAX_REJECTED_SHARE } = options;
  if (!(firstMessages >= 1) || !(maxRejectedShare >= 0 && maxRejectedShare <= 1)) {
    throw new RangeError(`Cannot judge a feed: first messages ${firstMessages}, share ${maxRejectedShare} (want at least 1, and 0..1)`);
  }
  let judged = 0;
  let rejected = 0;
  const reasons = new Map<string, number>();
  const check = {
    open: maxRejectedShare < 1,
    refusal: undefined as FeedRefusal | undefined,
    record(reason: string | undefined): void {
      if (!check.open) return;
      judged += 1;
      if (reason !== undefined) {
        rejected += 1;
        const kind = reasonKind(reason);
        reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
      }
      if (judged >= firstMessages) decide();
    },
    finish(): void {
      if (check.open && judged > 0) decide();
    },
  };
  const decide = (): void => {
    check.open = false;
    if (rejected <= judged * maxRejectedShare) return;
    let reason = '';
    let most = 0;
    for (const [kind, count] of reasons) if (count > most) [reason, most] = [kind, count];
    const percent = (100 * rejected) / judged;
    const line =
      `the feed is mostly rejects: ${rejected.toLocaleString('en-US')} of the first ${judged.toLocaleString('en-US')} messages ` +
      `(${percent.toFixed(1)} %, more than ${Math.round(maxRejectedShare * 100)} %), most for "${reason}" (${most.toLocaleString('en-US')}); ` +
      'is the layout right (--config, --format)? The rejects are in the rejects table';
    check.refusal = { judged, rejected, reason, line };
    onRefused(check.refusal);
  };
  return check;
}

/** A reason without the value it quotes: reasons of one rule are one kind. */
export function reasonKind(reason: string): string {
  const got = reason.indexOf(' (got ');
  const cut = got >= 0 ? reason.slice(0, got) : reason;
  // JSON errors name a character and its position: the kind is what was expected.
  return cut.replace(/^not valid JSON: unexpected .* at character \d+, /, 'not valid JSON: unexpected character ');
}

/** A check of a run's first messages that says a refusal in one error record of the log, with its figures as fields. */
export function loggedFeedCheck(options: FeedCheckOptions | undefined, log: Logger): FeedCheck {
  return createFeedCheck(options, (refusal) => log.error(refusal.line, { judged: refusal.judged, rejected: refusal.rejected, reason: refusal.reason }));
}
