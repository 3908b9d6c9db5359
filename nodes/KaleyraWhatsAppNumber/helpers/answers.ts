/**
 * Maps what came back for one item (a Kaleyra answer, or a transport failure)
 * to the JSON of a Success item or an Error item.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Delivery } from '../transport/kaleyraRequest';
import type { FieldProblem } from './validation';

/** The package's own error codes, next to Kaleyra's RBC001, WA400, WA401 and WA500. */
export const OWN_ERROR_CODES = {
	invalidInput: 'INVALID_INPUT',
	network: 'NETWORK_ERROR',
	timeout: 'TIMEOUT',
	rateLimited: 'RATE_LIMITED',
	httpError: 'HTTP_ERROR',
	invalidResponse: 'INVALID_RESPONSE',
	unexpected: 'UNEXPECTED_ERROR',
} as const;

/** What the item was about, repeated on both branches so a workflow can act on it. */
export interface ItemContext extends IDataObject {
	operation: string;
}

export interface ItemFailure extends IDataObject {
	code: string;
	message: string;
	httpStatus: number | null;
	fields: string[];
	hint: string;
	retryable: boolean;
}

export interface HttpAnswer {
	statusCode: number;
	headers: Record<string, unknown>;
	body: string;
}

export type ItemResult =
	| { ok: true; json: IDataObject }
	| { ok: false; json: IDataObject; failure: ItemFailure };

export interface AnswerOptions {
	treatAlreadyApprovedAsSuccess: boolean;
}

const CREDENTIAL_FIELDS = ['credentials.sid', 'credentials.apiKey', 'credentials.region'];

/** Kaleyra's payload keys, as the node's parameter names. */
const PARAMETER_OF_KALEYRA_KEY: Record<string, string> = {
	id: 'phoneNumberId',
	phone_number: 'phoneNumber',
	otp: 'otp',
	type_verification: 'typeVerification',
	waba_id: 'wabaId',
};

const HINT_OF_FIELD: Record<string, string> = {
	phoneNumberId:
		'Check the phone number ID: it is the ID Kaleyra returned when the number was added to the WABA.',
	phoneNumber: 'Check the phone number: the one added to this WABA, with "+" and its country code.',
	otp: 'The OTP is the 6-digit code sent by SMS or voice call. If it was mistyped or has expired, use Retry OTP to get a new one.',
	typeVerification: 'Choose SMS or VOICE as the channel.',
	wabaId: 'Check the WABA ID in the WhatsApp settings of your Kaleyra account.',
};

// Larger than any Kaleyra answer to these endpoints by far; past it the body is not parsed.
const MAX_ANSWER_LENGTH = 1024 * 1024;

export function successResult(
	context: ItemContext,
	answer: { code: string; message: string; data: unknown },
	alreadyApproved: boolean,
	attempts: number,
): ItemResult {
	return {
		ok: true,
		json: {
			success: true,
			...context,
			alreadyApproved,
			code: answer.code,
			message: answer.message,
			data: answer.data as IDataObject,
			attempts,
		},
	};
}

export function failureResult(
	context: ItemContext,
	failure: ItemFailure,
	attempts: number,
): ItemResult {
	return { ok: false, failure, json: { success: false, ...context, error: failure, attempts } };
}

export function invalidInputFailure(problems: FieldProblem[]): ItemFailure {
	return {
		code: OWN_ERROR_CODES.invalidInput,
		message: problems.map((p) => `${p.field} ${p.rule}`).join('; '),
		httpStatus: null,
		fields: problems.map((p) => p.field),
		hint: problems.map((p) => p.hint).join(' '),
		retryable: false,
	};
}

export function networkFailure(cause: string): ItemFailure {
	return {
		code: OWN_ERROR_CODES.network,
		message: `Could not reach Kaleyra (${cause})`,
		httpStatus: null,
		fields: ['credentials.region'],
		hint: 'Check that n8n can reach the Kaleyra API domain of the chosen region (or the custom base URL), then run the item again.',
		retryable: true,
	};
}

export function timeoutFailure(timeoutMs: number): ItemFailure {
	return {
		code: OWN_ERROR_CODES.timeout,
		message: `Kaleyra did not answer within ${timeoutMs} ms`,
		httpStatus: null,
		fields: [],
		hint: 'The request may still have reached Kaleyra: check the number before sending another code or OTP, or raise the Timeout option.',
		retryable: true,
	};
}

interface KaleyraBody {
	code: string;
	message: string;
	data: unknown;
	error: unknown;
}

function parseKaleyraBody(body: string): KaleyraBody | undefined {
	if (body.length === 0 || body.length > MAX_ANSWER_LENGTH) return undefined;
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

function isServerTrouble(statusCode: number): boolean {
	return statusCode === 429 || statusCode >= 500;
}

function notKaleyraFailure(answer: HttpAnswer): ItemFailure {
	const { statusCode } = answer;
	if (statusCode === 429) {
		return {
			code: OWN_ERROR_CODES.rateLimited,
			message: 'Kaleyra is limiting the request rate (HTTP 429)',
			httpStatus: statusCode,
			fields: [],
			hint: 'Send fewer requests at once: lower Concurrency or set Pacing in the node options, then run the item again.',
			retryable: true,
		};
	}
	const is2xx = statusCode >= 200 && statusCode < 300;
	return {
		code: is2xx ? OWN_ERROR_CODES.invalidResponse : OWN_ERROR_CODES.httpError,
		message: is2xx
			? `Kaleyra answered HTTP ${statusCode} with a body that is not Kaleyra JSON (${describeBody(answer.body)})`
			: `Kaleyra answered HTTP ${statusCode} without a Kaleyra error body (${describeBody(answer.body)})`,
		httpStatus: statusCode,
		fields: [],
		hint: isServerTrouble(statusCode)
			? 'Kaleyra or a gateway in front of it is having trouble. Try again in a few minutes.'
			: 'Check the region or the custom base URL in the credential: the server that answered does not look like Kaleyra.',
		retryable: isServerTrouble(statusCode),
	};
}

function describeBody(body: string): string {
	if (body.length === 0) return 'empty body';
	if (/^\s*</.test(body)) return 'an HTML page';
	if (body.length > MAX_ANSWER_LENGTH) return `${body.length} bytes`;
	return 'malformed JSON';
}

function fieldsOfKaleyraError(body: KaleyraBody): string[] {
	const keys = typeof body.error === 'object' && body.error !== null ? Object.keys(body.error) : [];
	const fields = keys.map((key) => PARAMETER_OF_KALEYRA_KEY[key]).filter(Boolean);
	if (fields.length === 0 && /\botp\b/i.test(body.message)) fields.push('otp');
	return fields;
}

function kaleyraFailure(body: KaleyraBody, statusCode: number): ItemFailure {
	const base = { message: body.message, httpStatus: statusCode };
	switch (body.code) {
		case 'RBC001':
			return {
				...base,
				code: 'RBC001',
				fields: CREDENTIAL_FIELDS,
				hint: 'Check the SID and API key in the credential, and that its region matches your Kaleyra account: a wrong region answers the same way. A key limited to whitelisted IPs must allow this n8n server.',
				retryable: false,
			};
		case 'WA401':
		case 'WA-401':
			return {
				...base,
				code: 'WA401',
				fields: ['wabaId'],
				hint: 'The WABA ID is missing or does not belong to the Kaleyra account of this SID. Check the WABA ID, or the credential used.',
				retryable: false,
			};
		case 'WA500':
			return {
				...base,
				code: 'WA500',
				fields: [],
				hint: 'Kaleyra had an internal error. Try again in a few minutes; Kaleyra advises up to three retries spaced minutes apart.',
				retryable: true,
			};
		default: {
			const fields = fieldsOfKaleyraError(body);
			const hints = fields.map((field) => HINT_OF_FIELD[field]);
			return {
				...base,
				code: body.code,
				fields,
				hint:
					hints.join(' ') ||
					'Kaleyra rejected the request. Check that the phone number ID, the phone number and the WABA ID belong together.',
				retryable: isServerTrouble(statusCode),
			};
		}
	}
}

function isAlreadyApproved(body: KaleyraBody): boolean {
	return body.code === 'WA500' && /already approved/i.test(body.message);
}

/** Reads one HTTP answer from Kaleyra as a Success or an Error item. */
export function resultOfAnswer(
	context: ItemContext,
	answer: HttpAnswer,
	options: AnswerOptions,
	attempts: number,
): ItemResult {
	const body = parseKaleyraBody(answer.body);
	if (!body) return failureResult(context, notKaleyraFailure(answer), attempts);

	const is2xx = answer.statusCode >= 200 && answer.statusCode < 300;
	if (body.code === 'WA200' && is2xx) return successResult(context, body, false, attempts);

	if (isAlreadyApproved(body)) {
		if (options.treatAlreadyApprovedAsSuccess) return successResult(context, body, true, attempts);
		return failureResult(
			context,
			{
				code: 'WA500',
				message: body.message,
				httpStatus: answer.statusCode,
				fields: [],
				hint: 'The number is already verified: nothing is left to do. Turn on "Treat Already Approved as Success" to send such items to the Success output.',
				retryable: false,
			},
			attempts,
		);
	}
	return failureResult(context, kaleyraFailure(body, answer.statusCode), attempts);
}

/** Whether Kaleyra asked, in its own words, to try again later. */
export function isTryAgainLater(answer: HttpAnswer): boolean {
	const body = parseKaleyraBody(answer.body);
	return body !== undefined && body.code === 'WA500' && /try again later/i.test(body.message);
}

/** The item's result from the last attempt's delivery, whatever it was. */
export function resultOfDelivery(
	context: ItemContext,
	delivery: Delivery,
	options: AnswerOptions & { timeoutMs: number },
	attempts: number,
): ItemResult {
	switch (delivery.kind) {
		case 'answer':
			return resultOfAnswer(context, delivery.answer, options, attempts);
		case 'unreachable':
			return failureResult(context, networkFailure(delivery.cause), attempts);
		case 'interrupted':
			return failureResult(
				context,
				delivery.timedOut ? timeoutFailure(options.timeoutMs) : networkFailure(delivery.cause),
				attempts,
			);
	}
}
