/**
 * Maps what came back for one item (a Kaleyra answer, or a transport failure)
 * to the JSON of a Success item or an Error item.
 */
import type { IDataObject } from 'n8n-workflow';

import type { KaleyraEnvelope, HttpAnswer } from '../transport/kaleyraEnvelope';
import { MAX_ANSWER_BYTES, isRedirect } from '../transport/kaleyraEnvelope';
import type {
	AnswerDelivery,
	Delivery,
	LostDelivery,
	LostReason,
} from '../transport/kaleyraRequest';
import { HINTS } from './hints';
import { deliveryClass } from './retryPolicy';
import type { FieldProblem } from './validation';

/** The package's own error codes, next to Kaleyra's RBC001, WA400, WA401 and WA500. */
export const OWN_ERROR_CODES = {
	invalidInput: 'INVALID_INPUT',
	invalidCredential: 'INVALID_CREDENTIAL',
	network: 'NETWORK_ERROR',
	timeout: 'TIMEOUT',
	rateLimited: 'RATE_LIMITED',
	httpError: 'HTTP_ERROR',
	invalidResponse: 'INVALID_RESPONSE',
	unexpected: 'UNEXPECTED_ERROR',
	redirect: 'REDIRECT',
	connectionLost: 'CONNECTION_LOST',
	cancelled: 'CANCELLED',
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

export type ItemResult =
	| { ok: true; json: IDataObject }
	| { ok: false; json: IDataObject; failure: ItemFailure };

export interface AnswerOptions {
	treatAlreadyApprovedAsSuccess: boolean;
	timeoutMs: number;
}

const CREDENTIAL_FIELDS = ['credentials.sid', 'credentials.apiKey', 'credentials.region'];
const ADDRESS_FIELDS = ['credentials.region', 'credentials.baseUrl'];

/** Kaleyra's payload keys, as the node's parameter names. */
const PARAMETER_OF_KALEYRA_KEY: Record<string, keyof typeof HINTS> = {
	id: 'phoneNumberId',
	phone_number: 'phoneNumber',
	otp: 'otp',
	type_verification: 'typeVerification',
	waba_id: 'wabaId',
};

export function successResult(
	context: ItemContext,
	envelope: KaleyraEnvelope,
	alreadyApproved: boolean,
	attempts: number,
): ItemResult {
	return {
		ok: true,
		json: {
			success: true,
			...context,
			alreadyApproved,
			code: envelope.code,
			message: envelope.message,
			data: envelope.data as IDataObject,
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

/** An item the user's Stop reached before its request left. */
export function stoppedBeforeSendingFailure(): ItemFailure {
	return {
		code: OWN_ERROR_CODES.cancelled,
		message: 'The execution was stopped before this request was sent',
		httpStatus: null,
		fields: [],
		hint: HINTS.stoppedBeforeSending,
		retryable: true,
	};
}

function failure(
	code: string,
	message: string,
	hint: string,
	delivery: Delivery,
	extra: { httpStatus?: number | null; fields?: string[] } = {},
): ItemFailure {
	return {
		code,
		message,
		httpStatus: extra.httpStatus ?? null,
		fields: extra.fields ?? [],
		hint,
		// The same classes the retry policy acts on: only what cannot have reached Kaleyra, or what
		// Kaleyra asked to repeat, is safe to send again.
		retryable: deliveryClass(delivery) === 'safe',
	};
}

const LOST_MESSAGES: Record<LostReason, (lost: LostDelivery, options: AnswerOptions) => string> = {
	connectionBroke: ({ host, cause }) =>
		`The connection to ${host} broke after the request was sent (${cause}): it may have reached Kaleyra`,
	answerBroke: ({ host, cause }) =>
		`The answer from ${host} stopped mid-way (${cause}): the request may have reached Kaleyra`,
	notDecompressible: ({ host, cause }) =>
		`The answer from ${host} could not be decompressed (${cause}): the request may have reached Kaleyra`,
	tooLarge: ({ host }) =>
		`The answer from ${host} was larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB, so reading stopped there: the request may have reached Kaleyra`,
	timedOut: ({ host }, { timeoutMs }) =>
		`${host} did not finish answering within the Timeout of ${timeoutMs} ms: the request may have reached Kaleyra`,
	stopped: ({ host }) =>
		`The execution was stopped while the request to ${host} was in flight: it may have reached Kaleyra`,
};

const LOST_CODES: Record<LostReason, string> = {
	connectionBroke: OWN_ERROR_CODES.connectionLost,
	answerBroke: OWN_ERROR_CODES.connectionLost,
	notDecompressible: OWN_ERROR_CODES.invalidResponse,
	tooLarge: OWN_ERROR_CODES.invalidResponse,
	timedOut: OWN_ERROR_CODES.timeout,
	stopped: OWN_ERROR_CODES.cancelled,
};

function lostFailure(lost: LostDelivery, options: AnswerOptions): ItemFailure {
	const hint =
		lost.reason === 'timedOut'
			? `${HINTS.mayHaveArrived} If Kaleyra is slow, raise the Timeout option.`
			: HINTS.mayHaveArrived;
	return failure(LOST_CODES[lost.reason], LOST_MESSAGES[lost.reason](lost, options), hint, lost, {
		httpStatus: lost.statusCode,
	});
}

function redirectFailure(answer: HttpAnswer, delivery: Delivery): ItemFailure {
	const location = answer.headers.location;
	let target = 'no Location';
	if (typeof location === 'string' && location !== '') {
		try {
			// The host only: a path or query can carry tokens.
			target = `host ${new URL(location, answer.url).host}`;
		} catch {
			target = 'an unreadable Location';
		}
	}
	return failure(
		OWN_ERROR_CODES.redirect,
		`Kaleyra's address answered HTTP ${answer.statusCode}, a redirect to ${target}. Redirects are never followed: nothing was sent there`,
		HINTS.redirect,
		delivery,
		{ httpStatus: answer.statusCode, fields: ADDRESS_FIELDS },
	);
}

function notKaleyraFailure(answer: HttpAnswer, delivery: Delivery): ItemFailure {
	const { statusCode } = answer;
	if (statusCode === 429) {
		return failure(
			OWN_ERROR_CODES.rateLimited,
			'Kaleyra is limiting the request rate (HTTP 429)',
			HINTS.rateLimited,
			delivery,
			{ httpStatus: statusCode },
		);
	}
	const is2xx = statusCode >= 200 && statusCode < 300;
	return failure(
		is2xx ? OWN_ERROR_CODES.invalidResponse : OWN_ERROR_CODES.httpError,
		is2xx
			? `Kaleyra answered HTTP ${statusCode} with a body that is not Kaleyra JSON (${describeBody(answer.body)})`
			: `Kaleyra answered HTTP ${statusCode} without a Kaleyra error body (${describeBody(answer.body)})`,
		statusCode >= 500 ? HINTS.gatewayTrouble : HINTS.notKaleyra,
		delivery,
		{ httpStatus: statusCode },
	);
}

function describeBody(body: string): string {
	if (body.length === 0) return 'empty body';
	if (/^\s*</.test(body)) return 'an HTML page';
	return 'malformed JSON';
}

function fieldsOfKaleyraError(envelope: KaleyraEnvelope): string[] {
	const { error } = envelope;
	const keys = typeof error === 'object' && error !== null ? Object.keys(error) : [];
	const fields: string[] = keys.map((key) => PARAMETER_OF_KALEYRA_KEY[key]).filter(Boolean);
	if (fields.length === 0 && /\botp\b/i.test(envelope.message)) fields.push('otp');
	return fields;
}

function kaleyraFailure(envelope: KaleyraEnvelope, answer: HttpAnswer, delivery: Delivery): ItemFailure {
	const extra = { httpStatus: answer.statusCode };
	switch (envelope.code) {
		case 'RBC001':
			return failure('RBC001', envelope.message, HINTS.badCredentials, delivery, {
				...extra,
				fields: CREDENTIAL_FIELDS,
			});
		case 'WA401':
		case 'WA-401':
			return failure('WA401', envelope.message, HINTS.wabaNotOwned, delivery, {
				...extra,
				fields: ['wabaId'],
			});
		case 'WA500':
			return failure('WA500', envelope.message, HINTS.kaleyraInternal, delivery, extra);
		default: {
			const fields = fieldsOfKaleyraError(envelope);
			const hints = fields.map((field) => HINTS[field as keyof typeof HINTS]);
			return failure(envelope.code, envelope.message, hints.join(' ') || HINTS.rejected, delivery, {
				...extra,
				fields,
			});
		}
	}
}

function isAlreadyApproved(envelope: KaleyraEnvelope): boolean {
	return envelope.code === 'WA500' && /already approved/i.test(envelope.message);
}

/** Reads one whole HTTP answer as a Success or an Error item. */
function resultOfAnswer(
	context: ItemContext,
	delivery: AnswerDelivery,
	options: AnswerOptions,
	attempts: number,
): ItemResult {
	const { answer, envelope } = delivery;
	if (isRedirect(answer.statusCode))
		return failureResult(context, redirectFailure(answer, delivery), attempts);
	if (!envelope) return failureResult(context, notKaleyraFailure(answer, delivery), attempts);

	const is2xx = answer.statusCode >= 200 && answer.statusCode < 300;
	if (envelope.code === 'WA200' && is2xx) return successResult(context, envelope, false, attempts);

	if (isAlreadyApproved(envelope)) {
		if (options.treatAlreadyApprovedAsSuccess)
			return successResult(context, envelope, true, attempts);
		return failureResult(
			context,
			failure('WA500', envelope.message, HINTS.alreadyApproved, delivery, {
				httpStatus: answer.statusCode,
			}),
			attempts,
		);
	}
	return failureResult(context, kaleyraFailure(envelope, answer, delivery), attempts);
}

/** The item's result from the last attempt's delivery, whatever it was. */
export function resultOfDelivery(
	context: ItemContext,
	delivery: Delivery,
	options: AnswerOptions,
	attempts: number,
): ItemResult {
	switch (delivery.kind) {
		case 'answer':
			return resultOfAnswer(context, delivery, options, attempts);
		case 'unreachable':
			return failureResult(
				context,
				failure(
					OWN_ERROR_CODES.network,
					`Could not connect to ${delivery.host} (${delivery.cause}): the request was not sent`,
					HINTS.unreachable,
					delivery,
					{ fields: ADDRESS_FIELDS },
				),
				attempts,
			);
		case 'lost':
			return failureResult(context, lostFailure(delivery, options), attempts);
	}
}
