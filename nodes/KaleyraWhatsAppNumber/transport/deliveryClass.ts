/** What a delivery says of whether Kaleyra may have acted on the request. */
import { kaleyraErrorOf } from '../results/errorCatalogue';
import { isTryAgainLater } from './kaleyraEnvelope';
import type { Delivery } from './kaleyraRequest';

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
	// A low balance or a daily limit will not lift within the run, whatever status it came with.
	if (envelope && kaleyraErrorOf(envelope)?.neverRetried) return 'final';
	if (answer.statusCode === 429 || answer.statusCode === 503 || isTryAgainLater(envelope))
		return 'safe';
	// A gateway's own error page says nothing of whether Kaleyra got the request; Kaleyra's
	// envelope, wherever its code stands in the body, is a definite answer.
	return GATEWAY_STATUSES.has(answer.statusCode) && !envelope ? 'uncertain' : 'final';
}
