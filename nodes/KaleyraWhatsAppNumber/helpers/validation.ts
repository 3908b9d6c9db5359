/**
 * Turns the raw parameter values of one item into the values Kaleyra expects,
 * or explains which field broke which rule. Nothing here talks to the network,
 * so a bad item costs no request.
 */
export interface FieldProblem {
	/** The parameter; empty for a tool argument that fills none. */
	field: string;
	rule: string;
	hint: string;
	/** The key an AI Agent's model gave the value by, when the node runs as its tool. */
	argument?: string;
}

export class InvalidFieldError extends Error {
	constructor(readonly problem: FieldProblem) {
		super(`${problem.field}: ${problem.rule}`);
	}
}

const SHOWN_VALUE_LENGTH = 40;

/**
 * A short, printable form of a rejected value, to follow "is" in a message; never the whole of
 * a huge string. Not for an OTP, whose digits must not reach the output.
 */
export function describeValue(value: unknown): string {
	if (value === undefined) return 'empty (its expression gave no value)';
	if (value === null) return 'null';
	if (typeof value === 'string') {
		if (value.trim() === '') return 'empty';
		const shown =
			value.length > SHOWN_VALUE_LENGTH ? `${value.slice(0, SHOWN_VALUE_LENGTH)}…` : value;
		return `the text ${JSON.stringify(shown)}`;
	}
	if (typeof value === 'number') return `the number ${String(value)}`;
	if (typeof value === 'boolean') return String(value);
	return Array.isArray(value) ? 'a list' : 'an object';
}

/** The 1-based position of the first character (code point) that `allowed` does not match. */
function firstOutside(
	text: string,
	allowed: RegExp,
): { position: number; char: string } | undefined {
	const chars = Array.from(text);
	const index = chars.findIndex((char) => !allowed.test(char));
	return index < 0 ? undefined : { position: index + 1, char: chars[index] };
}

/** A character as a message can show it: printable ASCII quoted, anything else by its code point. */
function describeChar(char: string): string {
	if (char === ' ') return 'a space';
	if (/^[\x21-\x7e]$/.test(char)) return JSON.stringify(char);
	const code = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
	return `the character U+${code}`;
}

function fail(field: string, rule: string, hint: string): never {
	throw new InvalidFieldError({ field, rule, hint });
}

/** Strings pass trimmed, finite numbers as their digits; anything else fails with the field's own hint. */
function asText(field: string, value: unknown, hint: string): string {
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return fail(field, `is ${describeValue(value)}, not text`, hint);
}

// Whole-text tests for the usual, valid value: the character-by-character search that names the
// first stray character runs only when one fails (it is per item, in every bulk run).
const ONLY_DIGITS = /^[0-9]+$/;
const ONLY_PHONE_CHARACTERS = /^[0-9\s\-.()]*$/;

/** Fails unless `text` is one or more digits 0-9, saying where the first other character stands. */
function requireDigits(field: string, text: string, hint: string): void {
	if (ONLY_DIGITS.test(text)) return;
	if (text === '') fail(field, 'is empty', hint);
	const stray = firstOutside(text, /^[0-9]$/);
	if (stray)
		fail(
			field,
			`has ${describeChar(stray.char)} at position ${stray.position}, where only digits 0-9 may be`,
			hint,
		);
}

/**
 * IDs are digit strings. A JSON number past 2^53 has already lost digits by the
 * time it reaches the node, so it is refused rather than sent wrong.
 */
export function toDigitId(field: string, value: unknown, label: string, example: string): string {
	if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
		fail(
			field,
			`is ${describeValue(value)}, too long for a JSON number to hold exactly: its last digits are already wrong`,
			`Keep the ${label} quoted as text where it comes from: a JSON number this long has already lost its last digits.`,
		);
	}
	const hint = `Give the ${label} as digits only, such as ${example}.`;
	const text = asText(field, value, hint);
	requireDigits(field, text, hint);
	if (text.length > MAX_ID_DIGITS)
		fail(field, `has ${text.length} digits; an ID has at most ${MAX_ID_DIGITS}`, hint);
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
	if (text === '') fail(field, 'is empty', hint);
	const body = text.replace(/^\+/, '');
	const stray = ONLY_PHONE_CHARACTERS.test(body) ? undefined : firstOutside(body, /^[0-9\s\-.()]$/);
	if (stray) {
		const position = stray.position + (text.startsWith('+') ? 1 : 0);
		fail(
			field,
			`has ${describeChar(stray.char)} at position ${position}, which is not a digit 0-9`,
			hint,
		);
	}
	let phone = text.replace(PHONE_DECORATION, '');
	if (phone.startsWith('00')) phone = `+${phone.slice(2)}`;
	if (!phone.startsWith('+'))
		fail(field, 'does not start with "+" (or 00) and a country code', hint);
	const digits = phone.length - 1;
	if (digits < 8 || digits > 15)
		fail(field, `has ${digits} digits after the "+"; E.164 allows 8 to 15`, hint);
	if (phone[1] === '0')
		fail(field, 'has 0 right after the "+"; no country code starts with 0', hint);
	return phone;
}

// Spaces and dashes between digits, as a code is read out or shown ("123 456", "12-34-56").
const OTP_SEPARATORS = /(?<=[0-9])[\s-]+(?=[0-9])/g;

/**
 * Six digits, kept as a string so a leading zero survives; spaces and dashes between the digits
 * are dropped. Messages never show the OTP.
 */
export function toOtp(field: string, value: unknown): string {
	const zeroLost =
		typeof value === 'number'
			? ' A JSON number drops leading zeros: keep the OTP quoted as text where it comes from.'
			: '';
	// Not the OTP field's hint ("use Retry OTP"): this code never reached Kaleyra, so it is retyped, not resent.
	const hint = `Give the OTP as the 6-digit code the number received, as text (a string keeps a leading 0): this one was not sent, so no try was used up.${zeroLost}`;
	const text = asText(field, value, hint).replace(OTP_SEPARATORS, '');
	if (text === '') fail(field, 'is empty', hint);
	const stray = ONLY_DIGITS.test(text) ? undefined : firstOutside(text, /^[0-9]$/);
	if (stray)
		fail(field, `has a character that is not a digit 0-9 at position ${stray.position}`, hint);
	if (text.length !== 6) fail(field, `has ${text.length} digits; it needs exactly 6`, hint);
	return text;
}

/** The country calling code apart ("91" for India), as Kaleyra's add call takes it. */
export function toCallingCode(field: string, value: unknown): string {
	const hint =
		'Give the country calling code as 1 to 3 digits without "+", such as 91 for India or 1 for the US and Canada.';
	const text = asText(field, value, hint).replace(/^\+/, '');
	requireDigits(field, text, hint);
	if (text.length > 3) fail(field, `has ${text.length} digits; a calling code has 1 to 3`, hint);
	if (text.startsWith('0')) fail(field, 'starts with 0; no calling code does', hint);
	return text;
}

// Meta reviews the display name; it refuses names shorter than 3 characters.
const DISPLAY_NAME_LENGTH = { min: 3, max: 512 };

// Control (Cc) and format (Cf) characters: line breaks that split a header, NULs, invisible
// spaces and direction overrides that make a name read as something else. The joiners U+200C
// and U+200D are Cf too, and some scripts need them in ordinary words.
const DISPLAY_NAME_CHAR = /^(?![\p{Cc}\p{Cf}])[\s\S]$|^[\u200c\u200d]$/u;

/** The display name Meta will review, trimmed; no control or format character but the joiners. */
export function toDisplayName(field: string, value: unknown, hint: string): string {
	const text = asText(field, value, hint);
	if (text === '') fail(field, 'is empty', hint);
	const length = [...text].length;
	if (length < DISPLAY_NAME_LENGTH.min)
		fail(field, `has ${length} characters; Meta needs at least ${DISPLAY_NAME_LENGTH.min}`, hint);
	if (length > DISPLAY_NAME_LENGTH.max)
		fail(field, `has ${length} characters; Meta allows at most ${DISPLAY_NAME_LENGTH.max}`, hint);
	const hidden = firstOutside(text, DISPLAY_NAME_CHAR);
	if (hidden)
		fail(
			field,
			`has ${describeChar(hidden.char)} at position ${hidden.position}, a control, format or direction character that a name cannot hold`,
			hint,
		);
	return text;
}

export type Channel = 'SMS' | 'VOICE';

export function toChannel(field: string, value: unknown, hint: string): Channel {
	// Checked before upper-casing: 'ſms' and 'voıce' would otherwise become SMS and VOICE.
	const trimmed = typeof value === 'string' ? value.trim() : '';
	const text = /^(sms|voice)$/i.test(trimmed) ? trimmed.toUpperCase() : '';
	if (text !== 'SMS' && text !== 'VOICE') {
		fail(field, `is ${describeValue(value)}; it needs to be SMS or VOICE`, hint);
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
							hint: `Fix the expression in ${field}: it failed for this item.`,
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
