/** What a delivery says of whether Kaleyra may have acted on the request. */
import { isTryAgainLater } from './kaleyraEnvelope';
import type { Delivery } from './kaleyraRequest';

/**
 * safe: Kaleyra cannot have acted on it: no connection was made, or Kaleyra's own answer says
 * it did not ("Please try again later", or its envelope with a 429 or 503). uncertain: it may
 * have reached Kaleyra and nothing says whether it acted: no whole answer came back, or a
 * gateway answered in Kaleyra's place (a 429 or 5xx without Kaleyra's JSON), which Envoy or
 * Varnish may do after forwarding it. final: an answer that a repeat would not change.
 */
export type DeliveryClass = 'final' | 'safe' | 'uncertain';

const ASKED_AGAIN_STATUSES = new Set([429, 503]);

export function deliveryClass(delivery: Delivery): DeliveryClass {
	if (delivery.kind === 'unreachable') return 'safe';
	if (delivery.kind === 'lost') return 'uncertain';
	const { answer, envelope } = delivery;
	// Kaleyra's envelope, wherever its code stands in the body, is Kaleyra's definite answer.
	if (envelope)
		return isTryAgainLater(envelope) || ASKED_AGAIN_STATUSES.has(answer.statusCode)
			? 'safe'
			: 'final';
	// A gateway's own page says nothing of whether Kaleyra got the request.
	return answer.statusCode === 429 || answer.statusCode >= 500 ? 'uncertain' : 'final';
}
