/**
 * Decides whether a failed attempt is tried again, and after how long. A verify
 * may use up one of the OTP's tries and a retry_otp may send an SMS or a call,
 * so only attempts that provably did not reach Kaleyra, or that Kaleyra asked to
 * repeat, are retried unless the user accepts the risk.
 */
import { deliveryClass } from '../results/deliveryClass';
import type { Delivery } from '../transport/kaleyraRequest';

export interface RetrySettings {
	/** Tries in all, the first included. */
	maxTries: number;
	/** Also retry attempts that may have reached Kaleyra (connection reset, timeout, gateway 5xx). */
	retryUncertain: boolean;
	/** The operation is a read: an attempt that may have reached Kaleyra changed nothing there. */
	safeToRepeat: boolean;
	baseDelayMs: number;
	maxDelayMs: number;
}

export type Verdict = { retry: false } | { retry: true; delayMs: number };

/** Retry-After in milliseconds, from seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(delivery: Delivery, now: number): number | undefined {
	if (delivery.kind !== 'answer') return undefined;
	const header = delivery.answer.headers['retry-after'];
	if (typeof header !== 'string' || header.trim() === '') return undefined;
	if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
	const date = Date.parse(header);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with full jitter, capped: a random wait up to base * 2^(attempt-1). */
export function backoffMs(attempt: number, settings: RetrySettings, random: () => number): number {
	const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling * random());
}

export function retryVerdict(
	delivery: Delivery,
	attempt: number,
	settings: RetrySettings,
	random: () => number = Math.random,
	now: number = Date.now(),
): Verdict {
	if (attempt >= settings.maxTries) return { retry: false };
	const kind = deliveryClass(delivery);
	if (
		kind === 'final' ||
		(kind === 'uncertain' && !settings.retryUncertain && !settings.safeToRepeat)
	)
		return { retry: false };
	const asked = retryAfterMs(delivery, now);
	// Never sooner than Kaleyra asks; and a wait longer than the cap is not worth holding the run.
	if (asked !== undefined && asked > settings.maxDelayMs) return { retry: false };
	return { retry: true, delayMs: Math.max(asked ?? 0, backoffMs(attempt, settings, random)) };
}
