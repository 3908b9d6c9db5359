/**
 * Decides whether a failed attempt is tried again, and after how long. A verify
 * may use up one of the OTP's tries and a retry_otp may send an SMS or a call,
 * so only attempts that provably did not reach Kaleyra, or that Kaleyra asked to
 * repeat, are retried unless the user accepts the risk.
 */
import { isTryAgainLater } from '../transport/kaleyraEnvelope';
import type { Delivery } from '../transport/kaleyraRequest';

export interface RetrySettings {
	/** Tries in all, the first included. */
	maxTries: number;
	/** Also retry attempts that may have reached Kaleyra (connection reset, timeout, gateway 5xx). */
	retryUncertain: boolean;
	baseDelayMs: number;
	maxDelayMs: number;
}

export type Verdict = { retry: false } | { retry: true; delayMs: number };

/**
 * safe: Kaleyra cannot have acted on it (no connection) or asked for it again (429, 503,
 * "Please try again later"). uncertain: it may have reached Kaleyra and no whole answer came
 * back. final: an answer that a repeat would not change.
 */
export type DeliveryClass = 'final' | 'safe' | 'uncertain';

const GATEWAY_STATUSES = new Set([500, 502, 504]);

export function deliveryClass(delivery: Delivery): DeliveryClass {
	if (delivery.kind === 'unreachable') return 'safe';
	if (delivery.kind === 'lost') return 'uncertain';
	const { answer, envelope } = delivery;
	if (answer.statusCode === 429 || answer.statusCode === 503 || isTryAgainLater(envelope))
		return 'safe';
	// A gateway's own error page says nothing of whether Kaleyra got the request; Kaleyra's
	// envelope, wherever its code stands in the body, is a definite answer.
	return GATEWAY_STATUSES.has(answer.statusCode) && !envelope ? 'uncertain' : 'final';
}

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
	if (kind === 'final' || (kind === 'uncertain' && !settings.retryUncertain))
		return { retry: false };
	const asked = retryAfterMs(delivery, now);
	// Never sooner than Kaleyra asks; and a wait longer than the cap is not worth holding the run.
	if (asked !== undefined && asked > settings.maxDelayMs) return { retry: false };
	return { retry: true, delayMs: Math.max(asked ?? 0, backoffMs(attempt, settings, random)) };
}
