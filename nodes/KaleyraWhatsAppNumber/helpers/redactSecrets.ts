/**
 * Server text is copied into items (Kaleyra's message and data). A server or proxy that echoes
 * the request would put the API key and the full OTP there: they are replaced wherever they
 * stand, in values and in keys, at any depth.
 */
import { maskOtp } from './validation';

export interface Secrets {
	apiKey: string;
	otp?: string;
}

const REDACTED_KEY = '[redacted API key]';
// A key this short would match ordinary text; Kaleyra's keys are over 30 characters.
const SHORTEST_REDACTED_KEY = 8;

/** One item's redaction: every server text it heard, then its result, redacted once. */
export interface ItemRedactor {
	/** Notes a text the server sent that the item may quote (a body, where a redirect pointed). */
	heard(serverText: string): void;
	/** `value` with the secrets replaced, when anything heard may have carried one. */
	redact<T>(value: T): T;
}

/**
 * Redacts `secrets` from any JSON value built from what the server sent. The parsed values are
 * what is searched, keys and values at any depth, so a secret the server wrote with JSON escapes
 * (`\u0041…`) is found too.
 */
export function secretRedactor(secrets: Secrets): ItemRedactor {
	const apiKey = secrets.apiKey.length >= SHORTEST_REDACTED_KEY ? secrets.apiKey : undefined;
	const { otp } = secrets;

	// A server or URL parser may case-fold the key, so it is looked for in any case.
	const lowerKey = apiKey?.toLowerCase();
	const keyAnyCase = apiKey ? keyPattern(apiKey) : undefined;
	// Without a backslash the text has no JSON escape, so every parsed string stands in it as
	// written: a text that holds no key then built no string that does. Most answers are such,
	// and the item is returned as it is, unwalked.
	const mayCarrySecret = (text: string) =>
		text.includes('\\') || (lowerKey !== undefined && text.toLowerCase().includes(lowerKey));

	// Only whether a text may carry a secret is kept: a list's pages are not held in memory.
	// With an OTP (Verify Number) the item is always walked: JSON can write its digits as a
	// number in any form (1.23456e5), which no look at the raw text would catch, and the walk of
	// one item is cheap.
	let walk = otp !== undefined && otp !== '';
	const heard = (serverText: string) => {
		walk ||= mayCarrySecret(serverText);
	};
	const redactValue = <T>(value: T): T => {
		if (!walk) return value;
		// The OTP only as a number of its own: the same six digits inside an ID or a phone number
		// are not the OTP, and an ID must stay whole. OTPs are digits: nothing to escape.
		// Made only when a text holds the OTP's digits at all: compiling it for every item showed in
		// the profile.
		let otpAlone: RegExp | undefined;
		// Each item's walk meets a dozen short keys and values: a text shorter than the key cannot
		// hold it (case folding keeps a match as long as the key), and one without the OTP's
		// digits cannot hold the OTP, so most texts skip both searches.
		const keyLength = apiKey?.length ?? Infinity;
		const redactText = (text: string) => {
			const keyless =
				keyAnyCase && text.length >= keyLength ? text.replace(keyAnyCase, REDACTED_KEY) : text;
			if (!otp || !keyless.includes(otp)) return keyless;
			otpAlone ??= new RegExp(`(?<!\\d)${otp}(?!\\d)`, 'g');
			return keyless.replace(otpAlone, maskOtp(otp));
		};
		const redact = (node: unknown): unknown => {
			if (typeof node === 'string') return redactText(node);
			// The OTP sent back as a JSON number is still its six digits.
			if (typeof node === 'number' && otp && String(node) === otp) return maskOtp(otp);
			if (Array.isArray(node)) return node.map(redact);
			if (typeof node === 'object' && node !== null) {
				return Object.fromEntries(
					Object.entries(node).map(([key, child]) => [redactText(key), redact(child)]),
				);
			}
			return node;
		};
		return redact(value) as T;
	};
	return { heard, redact: redactValue };
}

// The run's key pattern, made once rather than for each item: every item of a run, and every
// poll of a trigger, redacts the same key. A global pattern is safe to share: replace() starts
// each search from the beginning.
let lastKeyPattern: { apiKey: string; pattern: RegExp } | undefined;

function keyPattern(apiKey: string): RegExp {
	if (lastKeyPattern?.apiKey !== apiKey)
		lastKeyPattern = { apiKey, pattern: new RegExp(escapeRegExp(apiKey), 'gi') };
	return lastKeyPattern.pattern;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
