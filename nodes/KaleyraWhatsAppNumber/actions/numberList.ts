/** The request for a WABA's number list, or its page after a cursor: Get Many Numbers and Add Number's look-up. */
import type { KaleyraRequest } from '../transport/kaleyraRequest';

// A next page is asked for on the same path, by its cursor: never by following a `next` link,
// which could point anywhere while the api-key must only go to the account URL.
export function numberListRequest(wabaId: string, cursor?: string): KaleyraRequest {
	const query = cursor === undefined ? '' : `?after=${encodeURIComponent(cursor)}`;
	return { method: 'GET', path: `/whatsapp/${wabaId}/number${query}` };
}
