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

/**
 * The deepest nesting of arrays and objects an answer may have. Kaleyra's answers nest four
 * levels; n8n must save every output and show it, and deep JSON breaks both.
 */
export const MAX_ANSWER_DEPTH = 64;

/** Whether JSON text nests deeper than `limit`: one pass over the text, no recursion, no parse. */
export function nestsDeeperThan(text: string, limit: number): boolean {
	let depth = 0;
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const char = text.charCodeAt(index);
		if (inString) {
			if (char === BACKSLASH) index++;
			else if (char === QUOTE) inString = false;
		} else if (char === QUOTE) inString = true;
		else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
			if (++depth > limit) return true;
		} else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) depth--;
	}
	return false;
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Whether Kaleyra asked, in its own words, to try again later. */
export function isTryAgainLater(envelope: KaleyraEnvelope | undefined): boolean {
	return envelope?.code === 'WA500' && /try again later/i.test(envelope.message);
}

export function isRedirect(statusCode: number): boolean {
	return statusCode >= 300 && statusCode < 400;
}
