/**
 * Maps what came back for one item (a Kaleyra answer, or a transport failure)
 * to the JSON of a Success item or an Error item.
 */
import type { IDataObject } from 'n8n-workflow';

import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';
import { MAX_ANSWER_BYTES, MAX_ANSWER_DEPTH, isRedirect } from '../transport/kaleyraEnvelope';
import type {
	AnswerDelivery,
	Delivery,
	LostDelivery,
	LostReason,
} from '../transport/kaleyraRequest';
import { HINTS } from '../helpers/hints';
import type { FieldProblem } from '../helpers/validation';
import { deliveryClass } from './deliveryClass';
import {
	ADDRESS_FIELDS,
	ALREADY_APPROVED_HINT,
	OWN_ERROR_CODES,
	REJECTED_HINT,
	isAccepted,
	isAlreadyApproved,
	kaleyraErrorOf,
} from './errorCatalogue';

export { OWN_ERROR_CODES };

/** What the item was about, repeated on both branches so a workflow can act on it. */
export interface ItemContext extends IDataObject {
	operation: string;
}

export interface ItemFailure extends IDataObject {
	code: string;
	message: string;
	httpStatus: number | null;
	fields: string[];
	/** The tool arguments at fault, by the model's keys, when the node ran as an agent's tool. */
	arguments?: string[];
	hint: string;
	retryable: boolean;
}

/** One input item's outcome: its Success items (a list may make many), or its Error item. */
export type ItemResult =
	| { ok: true; items: IDataObject[] }
	| { ok: false; json: IDataObject; failure: ItemFailure };

/** What the mapping needs to know of the operation and the item's options. */
export interface AnswerRules {
	treatAlreadyApprovedAsSuccess: boolean;
	timeoutMs: number;
	/** A read: a repeat can change nothing, so an uncertain delivery is safe to send again. */
	safeToRepeat: boolean;
	/** Kaleyra's "already approved" means the operation's goal is reached. */
	alreadyApprovedIsDone: boolean;
	/** The operation's own fields of each Success item. */
	successItems: (envelope: KaleyraEnvelope) => IDataObject[];
	/** The operation's parameters: an error names no other (the credential's fields aside). */
	fieldNames: readonly string[];
}

/** Kaleyra's payload keys, as the node's parameter names. */
const PARAMETER_OF_KALEYRA_KEY: Record<string, keyof typeof HINTS> = {
	id: 'phoneNumberId',
	phone_number: 'phoneNumber',
	otp: 'otp',
	type_verification: 'typeVerification',
	verification_type: 'typeVerification',
	waba_id: 'wabaId',
	name: 'displayName',
	country_code: 'countryCode',
};

function successResult(
	context: ItemContext,
	envelope: KaleyraEnvelope,
	own: IDataObject[],
	attempts: number,
): ItemResult {
	return {
		ok: true,
		items: own.map((fields) => ({
			success: true,
			...context,
			code: envelope.code,
			message: envelope.message,
			...fields,
			attempts,
		})),
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
	const named = ({ field, argument }: FieldProblem) => {
		if (argument === undefined) return field;
		return field ? `${field} (tool argument "${argument}")` : `Tool argument "${argument}"`;
	};
	const toolArguments = [...new Set(problems.flatMap((p) => (p.argument ? [p.argument] : [])))];
	return {
		code: OWN_ERROR_CODES.invalidInput,
		message: problems.map((p) => `${named(p)} ${p.rule}`).join('; '),
		httpStatus: null,
		fields: problems.flatMap((p) => (p.field ? [p.field] : [])),
		...(toolArguments.length > 0 && { arguments: toolArguments }),
		// Two fields can share one hint (a swap): said once.
		hint: [...new Set(problems.map((p) => p.hint))].join(' '),
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

/** Whether sending the same request again is safe: the same classes the retry policy acts on. */
export function isSafeToSendAgain(delivery: Delivery, safeToRepeat: boolean): boolean {
	const kind = deliveryClass(delivery);
	return kind === 'safe' || (safeToRepeat && kind === 'uncertain');
}

function failure(
	code: string,
	message: string,
	hint: string,
	delivery: Delivery,
	rules: AnswerRules,
	extra: { httpStatus?: number | null; fields?: string[] } = {},
): ItemFailure {
	return {
		code,
		message,
		httpStatus: extra.httpStatus ?? null,
		fields: extra.fields ?? [],
		hint,
		retryable: isSafeToSendAgain(delivery, rules.safeToRepeat),
	};
}

const LOST_MESSAGES: Record<LostReason, (lost: LostDelivery, rules: AnswerRules) => string> = {
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

function lostFailure(lost: LostDelivery, rules: AnswerRules): ItemFailure {
	// A read changed nothing at Kaleyra, whatever became of its answer.
	const consequence = rules.safeToRepeat ? HINTS.readAgain : HINTS.mayHaveArrived;
	const hint =
		lost.reason === 'timedOut'
			? `${consequence} If Kaleyra is slow, raise the Timeout option.`
			: consequence;
	return failure(
		LOST_CODES[lost.reason],
		LOST_MESSAGES[lost.reason](lost, rules),
		hint,
		lost,
		rules,
		{ httpStatus: lost.statusCode },
	);
}

/**
 * Where a redirect points, said without quoting any of it: the server writes the Location, and
 * its host (which URL parsing percent-decodes and lowercases, out of the redactor's sight) or its
 * scheme could carry the API key. Only how it compares with the account's URL is told.
 */
function redirectTarget(to: URL, from: URL): string {
	const where = to.host === from.host ? 'the same host' : 'another host';
	if (to.protocol === from.protocol) return where;
	const scheme =
		to.protocol === 'http:' || to.protocol === 'https:'
			? to.protocol.slice(0, -1)
			: 'another scheme';
	return `${where} over ${scheme} instead of ${from.protocol.slice(0, -1)}`;
}

function redirectFailure(delivery: AnswerDelivery, rules: AnswerRules): ItemFailure {
	const { answer } = delivery;
	const location = answer.headers.location;
	let target = 'no Location';
	if (typeof location === 'string' && location !== '') {
		try {
			target = redirectTarget(new URL(location, answer.url), new URL(answer.url));
		} catch {
			target = 'an unreadable Location';
		}
	}
	return failure(
		OWN_ERROR_CODES.redirect,
		`Kaleyra's address answered HTTP ${answer.statusCode}, a redirect to ${target}. Redirects are never followed: nothing was sent there`,
		HINTS.redirect,
		delivery,
		rules,
		{ httpStatus: answer.statusCode, fields: ADDRESS_FIELDS },
	);
}

function notKaleyraFailure(delivery: AnswerDelivery, rules: AnswerRules): ItemFailure {
	const { answer } = delivery;
	const { statusCode } = answer;
	const extra = { httpStatus: statusCode };
	// A gateway may answer after forwarding the request: a write may have taken effect.
	const caution =
		deliveryClass(delivery) === 'uncertain' && !rules.safeToRepeat
			? ` ${HINTS.mayHaveArrived}`
			: '';
	if (statusCode === 429) {
		return failure(
			OWN_ERROR_CODES.rateLimited,
			'Kaleyra is limiting the request rate (HTTP 429)',
			`${HINTS.rateLimited}${caution}`,
			delivery,
			rules,
			extra,
		);
	}
	const is2xx = statusCode >= 200 && statusCode < 300;
	return failure(
		is2xx ? OWN_ERROR_CODES.invalidResponse : OWN_ERROR_CODES.httpError,
		is2xx
			? `Kaleyra answered HTTP ${statusCode} with a body that is not Kaleyra JSON (${describeBody(answer.body)})`
			: `Kaleyra answered HTTP ${statusCode} without a Kaleyra error body (${describeBody(answer.body)})`,
		`${statusCode >= 500 ? HINTS.gatewayTrouble : HINTS.notKaleyra}${caution}`,
		delivery,
		rules,
		extra,
	);
}

function describeBody(body: string): string {
	if (body.length === 0) return 'empty body';
	if (/^\s*</.test(body)) return 'an HTML page';
	return 'malformed JSON';
}

/** Only fields the operation has, or the credential's. */
function ownFields(fields: readonly string[], rules: AnswerRules): string[] {
	return fields.filter(
		(field) => field.startsWith('credentials.') || rules.fieldNames.includes(field),
	);
}

function fieldsOfKaleyraError(envelope: KaleyraEnvelope): string[] {
	const { error } = envelope;
	const keys = typeof error === 'object' && error !== null ? Object.keys(error) : [];
	const fields: string[] = keys.map((key) => PARAMETER_OF_KALEYRA_KEY[key]).filter(Boolean);
	if (fields.length === 0 && /\botp\b/i.test(envelope.message)) fields.push('otp');
	return [...new Set(fields)];
}

function kaleyraFailure(
	envelope: KaleyraEnvelope,
	delivery: AnswerDelivery,
	rules: AnswerRules,
): ItemFailure {
	const httpStatus = delivery.answer.statusCode;
	const documented = kaleyraErrorOf(envelope);
	if (documented) {
		return failure(documented.reportedAs, envelope.message, documented.hint, delivery, rules, {
			httpStatus,
			fields: ownFields(documented.fields, rules),
		});
	}
	// A refusal that names its fields (WA400): what to do about each of them.
	const fields = ownFields(fieldsOfKaleyraError(envelope), rules);
	const hints = fields.map((field) => HINTS[field as keyof typeof HINTS]);
	return failure(envelope.code, envelope.message, hints.join(' ') || REJECTED_HINT, delivery, rules, {
		httpStatus,
		fields,
	});
}

/** Reads one whole HTTP answer as Success items or an Error item. */
function resultOfAnswer(
	context: ItemContext,
	delivery: AnswerDelivery,
	rules: AnswerRules,
	attempts: number,
): ItemResult {
	const { answer, envelope } = delivery;
	if (isRedirect(answer.statusCode))
		return failureResult(context, redirectFailure(delivery, rules), attempts);
	if (delivery.tooDeep) {
		const message = `The answer (HTTP ${answer.statusCode}) nests deeper than ${MAX_ANSWER_DEPTH} levels, which no Kaleyra answer does and n8n could not save or show: it was not read`;
		const extra = { httpStatus: answer.statusCode };
		const tooDeep = failure(
			OWN_ERROR_CODES.invalidResponse,
			message,
			HINTS.notKaleyra,
			delivery,
			rules,
			extra,
		);
		return failureResult(context, tooDeep, attempts);
	}
	if (!envelope) return failureResult(context, notKaleyraFailure(delivery, rules), attempts);

	if (isAccepted(answer.statusCode, envelope))
		return successResult(context, envelope, rules.successItems(envelope), attempts);

	if (rules.alreadyApprovedIsDone && isAlreadyApproved(envelope)) {
		if (rules.treatAlreadyApprovedAsSuccess)
			return successResult(
				context,
				envelope,
				[{ alreadyApproved: true, data: envelope.data as IDataObject }],
				attempts,
			);
		return failureResult(
			context,
			failure('WA500', envelope.message, ALREADY_APPROVED_HINT, delivery, rules, {
				httpStatus: answer.statusCode,
			}),
			attempts,
		);
	}
	return failureResult(context, kaleyraFailure(envelope, delivery, rules), attempts);
}

/** The item's result from the last attempt's delivery, whatever it was. */
export function resultOfDelivery(
	context: ItemContext,
	delivery: Delivery,
	rules: AnswerRules,
	attempts: number,
): ItemResult {
	switch (delivery.kind) {
		case 'answer':
			return resultOfAnswer(context, delivery, rules, attempts);
		case 'unreachable':
			return failureResult(
				context,
				failure(
					OWN_ERROR_CODES.network,
					`Could not connect to ${delivery.host} (${delivery.cause}): the request was not sent`,
					HINTS.unreachable,
					delivery,
					rules,
					{ fields: ADDRESS_FIELDS },
				),
				attempts,
			);
		case 'lost':
			return failureResult(context, lostFailure(delivery, rules), attempts);
	}
}

/** A failure of the node's own code still leaves the item on the Error output, never lost. */
export function nodeFaultFailure(message: string): ItemFailure {
	return {
		code: OWN_ERROR_CODES.unexpected,
		message,
		httpStatus: null,
		fields: [],
		hint: HINTS.nodeFault,
		retryable: false,
	};
}
