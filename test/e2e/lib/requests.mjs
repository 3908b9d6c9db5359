// What the emulator must have received for a list of items: one POST per item that passed the
// node's own input checks, to the right path, with the key in `api-key` (its fingerprint: the
// control API never returns the key), a JSON content type and exactly Kaleyra's body (ids and
// OTPs as strings, the phone number in E.164).
import { redactedKey } from '../../../emulator/control.mjs';
import { DEFAULT_ACCOUNT } from '../../../emulator/fixtures.mjs';

const E164_PUNCTUATION = /[\s().-]/g;

/** @param {{ operation: string, apiKey: string, item: object }} call */
export function expectedRequest({ operation, apiKey, item }) {
	const endpoint = operation === 'verifyNumber' ? 'verify' : 'retry_otp';
	const third =
		operation === 'verifyNumber' ? { otp: item.otp } : { type_verification: item.typeVerification };
	return {
		method: 'POST',
		path: `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${item.wabaId}/number/${endpoint}`,
		apiKey: redactedKey(apiKey),
		contentType: 'application/json',
		body: {
			id: item.phoneNumberId,
			phone_number: item.phoneNumber.replace(E164_PUNCTUATION, ''),
			...third,
		},
	};
}

/** The emulator's log in the same shape, sorted like the expectation so order never matters. */
export const receivedRequests = (log) =>
	sorted(
		log.map((r) => ({
			method: r.method,
			path: r.path,
			apiKey: r.headers['api-key'],
			contentType: (r.headers['content-type'] ?? '').split(';')[0].trim(),
			body: r.json,
		})),
	);

// Keyed field by field: JSON.stringify would depend on the order of the body's keys.
const sortKey = (r) =>
	[r.path, r.apiKey, r.body?.id, r.body?.phone_number, r.body?.otp, r.body?.type_verification].join(
		' ',
	);
export const sorted = (requests) =>
	[...requests].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
