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

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A function that redacts `secrets` from any JSON value. */
export function secretRedactor(secrets: Secrets): <T>(value: T) => T {
	const replacements: Array<[RegExp, string]> = [];
	if (secrets.apiKey.length >= SHORTEST_REDACTED_KEY)
		replacements.push([new RegExp(escapeRegExp(secrets.apiKey), 'g'), REDACTED_KEY]);
	// The OTP only as a number of its own: the same six digits inside an ID or a phone number
	// are not the OTP, and an ID must stay whole.
	if (secrets.otp)
		replacements.push([
			new RegExp(`(?<!\\d)${escapeRegExp(secrets.otp)}(?!\\d)`, 'g'),
			maskOtp(secrets.otp),
		]);
	const redactText = (text: string) =>
		replacements.reduce((result, [pattern, mask]) => result.replace(pattern, mask), text);

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
	return <T>(value: T) => (replacements.length === 0 ? value : (redact(value) as T));
}
