/**
 * Turns the raw parameter values of one item into the values Kaleyra expects,
 * or explains which field broke which rule. Nothing here talks to the network,
 * so a bad item costs no request.
 */

export interface FieldProblem {
	field: string;
	rule: string;
	hint: string;
}

export class InvalidFieldError extends Error {
	constructor(readonly problem: FieldProblem) {
		super(`${problem.field}: ${problem.rule}`);
	}
}

const SHOWN_VALUE_LENGTH = 40;

/** A short, printable form of a rejected value for messages; never the whole of a huge string. */
export function describeValue(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (typeof value === 'string') {
		if (value.trim() === '') return 'an empty value';
		const shown =
			value.length > SHOWN_VALUE_LENGTH ? `${value.slice(0, SHOWN_VALUE_LENGTH)}…` : value;
		return JSON.stringify(shown);
	}
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return Array.isArray(value) ? 'a list' : 'an object';
}

function fail(field: string, rule: string, hint: string): never {
	throw new InvalidFieldError({ field, rule, hint });
}

/** Strings pass trimmed, finite numbers as their digits; anything else fails with the field's own hint. */
function asText(field: string, value: unknown, hint: string): string {
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return fail(field, `must be text, got ${describeValue(value)}`, hint);
}

/**
 * IDs are digit strings. A JSON number past 2^53 has already lost digits by the
 * time it reaches the node, so it is refused rather than sent wrong.
 */
export function toDigitId(field: string, value: unknown, label: string): string {
	if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
		fail(
			field,
			`the number ${describeValue(value)} is past what a JavaScript number holds exactly`,
			`Keep the ${label} quoted as text where it comes from: a JSON number this long has already lost its last digits.`,
		);
	}
	const hint = `The ${label} is made of digits only, such as 766000000000001.`;
	const text = asText(field, value, hint);
	if (text === '') fail(field, 'is required', hint);
	if (!/^\d+$/.test(text))
		fail(field, `must contain digits only, got ${describeValue(text)}`, hint);
	if (text.length > MAX_ID_DIGITS)
		fail(field, `has ${text.length} digits, more than an ID has (${MAX_ID_DIGITS} at most)`, hint);
	return text;
}

// Kaleyra's IDs are 15 to 17 digits; the margin is generous, the cap keeps a runaway value
// out of the URL and the body.
const MAX_ID_DIGITS = 32;

const PHONE_DECORATION = /[\s\-.()]/g;

/**
 * E.164: "+" then 8 to 15 digits, the first of them a country code (never 0).
 * Spaces, dashes, dots and brackets are dropped and a leading "00" becomes "+".
 */
export function toE164(field: string, value: unknown): string {
	const hint =
		'Write the number with "+" and its country code, such as +919765400001; spaces, dashes and brackets are fine.';
	const text = asText(field, value, hint);
	if (text === '') fail(field, 'is required', hint);
	let phone = text.replace(PHONE_DECORATION, '');
	if (phone.startsWith('00')) phone = `+${phone.slice(2)}`;
	if (!/^\+\d{8,15}$/.test(phone) || phone[1] === '0') {
		fail(
			field,
			`must be in E.164 form ("+", country code, number: 8 to 15 digits), got ${describeValue(text)}`,
			hint,
		);
	}
	return phone;
}

/** Six digits, kept as a string so a leading zero survives. */
export function toOtp(field: string, value: unknown): string {
	const hint =
		'The OTP is the 6-digit code sent by SMS or voice call. If it was mistyped or has expired, use Retry OTP to get a new one.';
	const text = asText(field, value, hint);
	if (!/^\d{6}$/.test(text)) {
		fail(
			field,
			`must be exactly 6 digits, got ${text === '' ? 'nothing' : `${text.length} characters`}`,
			hint,
		);
	}
	return text;
}

export type Channel = 'SMS' | 'VOICE';

export function toChannel(field: string, value: unknown): Channel {
	// Checked before upper-casing: 'ſms' and 'voıce' would otherwise become SMS and VOICE.
	const trimmed = typeof value === 'string' ? value.trim() : '';
	const text = /^(sms|voice)$/i.test(trimmed) ? trimmed.toUpperCase() : '';
	if (text !== 'SMS' && text !== 'VOICE') {
		fail(
			field,
			`must be SMS or VOICE, got ${describeValue(value)}`,
			'Choose SMS or VOICE as the channel for the new code.',
		);
	}
	return text;
}

/**
 * Runs each field's check and gathers every problem, so one error names all the
 * fields to fix. A check also reads its parameter, so an expression that throws
 * is reported against its field like any other bad value.
 */
export function checkFields<T extends Record<string, () => unknown>>(
	checks: T,
): { values: { [K in keyof T]: ReturnType<T[K]> }; problems: FieldProblem[] } {
	const values = {} as { [K in keyof T]: ReturnType<T[K]> };
	const problems: FieldProblem[] = [];
	for (const field of Object.keys(checks) as Array<keyof T & string>) {
		try {
			values[field] = checks[field]() as ReturnType<T[typeof field]>;
		} catch (error) {
			problems.push(
				error instanceof InvalidFieldError
					? error.problem
					: {
							field,
							rule: `could not be read: ${(error as Error).message}`,
							hint: `Fix the expression in ${field}.`,
						},
			);
		}
	}
	return { values, problems };
}

/** Shows only the last two digits of an OTP. */
export function maskOtp(otp: string): string {
	return `${'*'.repeat(Math.max(otp.length - 2, 0))}${otp.slice(-2)}`;
}
