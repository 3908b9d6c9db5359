/**
 * The words of a failure on the way to Kaleyra or back: no connection, a lost answer, a redirect,
 * an answer that is not Kaleyra's. Each says whether the request may have reached Kaleyra.
 */
import { MAX_ANSWER_BYTES, MAX_ANSWER_DEPTH } from '../transport/kaleyraEnvelope';
import type {
	AnswerDelivery,
	LostDelivery,
	LostReason,
	UnreachableDelivery,
} from '../transport/kaleyraRequest';
import { deliveryClass } from './deliveryClass';
import { ADDRESS_FIELDS, OWN_ERROR_CODES, OWN_HINTS } from './errorCatalogue';
import type { FailureWords } from './itemResults';

/** What the words depend on: a read changes nothing at Kaleyra; the Timeout the user set. */
export interface WordingRules {
	safeToRepeat: boolean;
	timeoutMs: number;
}

const LOST_MESSAGES: Record<LostReason, (lost: LostDelivery, rules: WordingRules) => string> = {
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

export function unreachableFailure(delivery: UnreachableDelivery): FailureWords {
	return {
		code: OWN_ERROR_CODES.network,
		message: `Could not connect to ${delivery.host} (${delivery.cause}): the request was not sent`,
		httpStatus: null,
		fields: ADDRESS_FIELDS,
		hint: OWN_HINTS.unreachable,
	};
}

export function lostFailure(lost: LostDelivery, rules: WordingRules): FailureWords {
	// A read changed nothing at Kaleyra, whatever became of its answer.
	const consequence = rules.safeToRepeat ? OWN_HINTS.readAgain : OWN_HINTS.mayHaveArrived;
	const hint =
		lost.reason === 'timedOut'
			? `${consequence} If Kaleyra is slow, raise the Timeout option.`
			: consequence;
	return {
		code: LOST_CODES[lost.reason],
		message: LOST_MESSAGES[lost.reason](lost, rules),
		httpStatus: lost.statusCode,
		fields: [],
		hint,
	};
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

export function redirectFailure(delivery: AnswerDelivery): FailureWords {
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
	return {
		code: OWN_ERROR_CODES.redirect,
		message: `Kaleyra's address answered HTTP ${answer.statusCode}, a redirect to ${target}. Redirects are never followed: nothing was sent there`,
		httpStatus: answer.statusCode,
		fields: ADDRESS_FIELDS,
		hint: OWN_HINTS.redirect,
	};
}

export function tooDeepFailure(delivery: AnswerDelivery): FailureWords {
	const { statusCode } = delivery.answer;
	return {
		code: OWN_ERROR_CODES.invalidResponse,
		message: `The answer (HTTP ${statusCode}) nests deeper than ${MAX_ANSWER_DEPTH} levels, which no Kaleyra answer does and n8n could not save or show: it was not read`,
		httpStatus: statusCode,
		fields: [],
		hint: OWN_HINTS.notKaleyra,
	};
}

export function notKaleyraFailure(delivery: AnswerDelivery, rules: WordingRules): FailureWords {
	const { answer } = delivery;
	const { statusCode } = answer;
	// A gateway may answer after forwarding the request: a write may have taken effect.
	const caution =
		deliveryClass(delivery) === 'uncertain' && !rules.safeToRepeat
			? ` ${OWN_HINTS.mayHaveArrived}`
			: '';
	if (statusCode === 429) {
		return {
			code: OWN_ERROR_CODES.rateLimited,
			message: 'Kaleyra is limiting the request rate (HTTP 429)',
			httpStatus: statusCode,
			fields: [],
			hint: `${OWN_HINTS.rateLimited}${caution}`,
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
		hint: `${statusCode >= 500 ? OWN_HINTS.gatewayTrouble : OWN_HINTS.notKaleyra}${caution}`,
	};
}

function describeBody(body: string): string {
	if (body.length === 0) return 'empty body';
	if (/^\s*</.test(body)) return 'an HTML page';
	return 'malformed JSON';
}
