/** What an HTTP answer is, and how Kaleyra's `{code, message, data}` envelope is read from it. */

/** The largest answer read: far more than any Kaleyra answer to these endpoints. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export interface HttpAnswer {
	statusCode: number;
	headers: Record<string, unknown>;
	/** The whole body, as text (at most MAX_ANSWER_BYTES bytes of it were read). */
	body: string;
	/** Where the request went: a relative Location is read against it. */
	url: string;
}

export interface KaleyraEnvelope {
	code: string;
	message: string;
	data: unknown;
	error: unknown;
}

/** Kaleyra's envelope, when the whole body is one; undefined for anything else. */
export function parseKaleyraEnvelope(body: string): KaleyraEnvelope | undefined {
	if (body.length === 0) return undefined;
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		return undefined;
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
	const { code, message, data, error } = parsed as Record<string, unknown>;
	if (typeof code !== 'string' || typeof message !== 'string') return undefined;
	return { code, message, data, error };
}

/** Whether Kaleyra asked, in its own words, to try again later. */
export function isTryAgainLater(envelope: KaleyraEnvelope | undefined): boolean {
	return envelope?.code === 'WA500' && /try again later/i.test(envelope.message);
}

export function isRedirect(statusCode: number): boolean {
	return statusCode >= 300 && statusCode < 400;
}
