/** What a delivery says of whether Kaleyra may have acted on the request. */
import { kaleyraErrorOf } from './errorCatalogue';
import { isTryAgainLater } from '../transport/kaleyraEnvelope';
import type { Delivery } from '../transport/kaleyraRequest';

/**
 * safe: Kaleyra cannot have acted on it: no connection was made, or Kaleyra's own words say it
 * did not (WA500 "Please try again later"). uncertain: it may have reached Kaleyra and nothing
 * says whether it acted: no whole answer came back, a gateway answered in Kaleyra's place (a 429
 * or 5xx without Kaleyra's JSON), which Envoy or Varnish may do after forwarding it, or a 429 or
 * 503 whose body has a code and a message but not those words (a gateway's own JSON looks the
 * same, and a WA500 "Internal error" may come after Kaleyra acted). final: an answer that a
 * repeat would not change.
 */
export type DeliveryClass = 'final' | 'safe' | 'uncertain';

const ASKED_AGAIN_STATUSES = new Set([429, 503]);

export function deliveryClass(delivery: Delivery): DeliveryClass {
	if (delivery.kind === 'unreachable') return 'safe';
	if (delivery.kind === 'lost') return 'uncertain';
	const { answer, envelope } = delivery;
	// A low balance or a daily limit will not lift within the run, whatever status it came with.
	if (envelope && kaleyraErrorOf(envelope)?.neverRetried) return 'final';
	if (isTryAgainLater(envelope)) return 'safe';
	// Any JSON with a string code and message passes for the envelope, so a 429 or 503 with one
	// proves nothing of whether Kaleyra acted: reads repeat it, writes only when the user accepts.
	if (envelope) return ASKED_AGAIN_STATUSES.has(answer.statusCode) ? 'uncertain' : 'final';
	// A gateway's own page says nothing of whether Kaleyra got the request.
	return answer.statusCode === 429 || answer.statusCode >= 500 ? 'uncertain' : 'final';
}
