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

/** A function that redacts `secrets` from any JSON value; it returns the value itself when clean. */
export function secretRedactor(secrets: Secrets): <T>(value: T) => T {
	const apiKey = secrets.apiKey.length >= SHORTEST_REDACTED_KEY ? secrets.apiKey : undefined;
	const { otp } = secrets;
	// The OTP only as a number of its own: the same six digits inside an ID or a phone number
	// are not the OTP, and an ID must stay whole. OTPs are digits: nothing to escape.
	const otpAlone = otp ? new RegExp(`(?<!\\d)${otp}(?!\\d)`, 'g') : undefined;

	const redactText = (text: string) => {
		let result = apiKey ? text.split(apiKey).join(REDACTED_KEY) : text;
		if (otp && otpAlone && result.includes(otp)) result = result.replace(otpAlone, maskOtp(otp));
		return result;
	};
	const redact = (value: unknown): unknown => {
		if (typeof value === 'string') return redactText(value);
		if (Array.isArray(value)) return value.map(redact);
		if (typeof value === 'object' && value !== null) {
			return Object.fromEntries(
				Object.entries(value).map(([key, child]) => [redactText(key), redact(child)]),
			);
		}
		return value;
	};
	// The key as it stands inside JSON text, should it hold a character JSON escapes.
	const apiKeyInJson = apiKey === undefined ? undefined : JSON.stringify(apiKey).slice(1, -1);
	return <T>(value: T) => {
		// Most answers carry no secret: one look at the whole decides whether to walk it.
		const text = JSON.stringify(value);
		const found =
			(apiKeyInJson !== undefined && text.includes(apiKeyInJson)) ||
			(otp !== undefined && otpAlone !== undefined && text.includes(otp) && redactText(text) !== text);
		return found ? (redact(value) as T) : value;
	};
}
