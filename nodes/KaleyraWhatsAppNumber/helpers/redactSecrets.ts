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

/**
 * A function that redacts `secrets` from any JSON value built from `serverText` (all the server
 * sent that an item may quote); it returns the value itself when that text holds no secret.
 */
export function secretRedactor(secrets: Secrets): <T>(value: T, serverText: string) => T {
	const apiKey = secrets.apiKey.length >= SHORTEST_REDACTED_KEY ? secrets.apiKey : undefined;
	// The key as it stands inside JSON text too, should it hold a character JSON escapes.
	const apiKeyInJson = apiKey === undefined ? undefined : JSON.stringify(apiKey).slice(1, -1);
	const { otp } = secrets;

	const carriesSecret = (text: string) =>
		(apiKey !== undefined && (text.includes(apiKey) || text.includes(apiKeyInJson as string))) ||
		(otp !== undefined && otp !== '' && text.includes(otp));

	return <T>(value: T, serverText: string) => {
		// Most answers carry no secret: the text they came from decides whether to walk the item.
		if (!carriesSecret(serverText)) return value;
		// The OTP only as a number of its own: the same six digits inside an ID or a phone number
		// are not the OTP, and an ID must stay whole. OTPs are digits: nothing to escape.
		const otpAlone = otp ? new RegExp(`(?<!\\d)${otp}(?!\\d)`, 'g') : undefined;
		const redactText = (text: string) => {
			const keyless = apiKey ? text.split(apiKey).join(REDACTED_KEY) : text;
			return otp && otpAlone ? keyless.replace(otpAlone, maskOtp(otp)) : keyless;
		};
		const redact = (node: unknown): unknown => {
			if (typeof node === 'string') return redactText(node);
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
}
