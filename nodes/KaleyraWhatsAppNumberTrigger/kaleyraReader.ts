/**
 * How the trigger reads Kaleyra: the action node's transport, retry policy, pacing and answer
 * rules, for GETs only. A read that does not end in Kaleyra's data fails the poll with the
 * action node's words for what went wrong, never with the API key.
 */
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { InvalidCredentialError } from '../../credentials/kaleyraAccountUrl';
import { getManyNumbers } from '../KaleyraWhatsAppNumber/actions/getManyNumbers.operation';
import { getNumberDetails } from '../KaleyraWhatsAppNumber/actions/getNumberDetails.operation';
import { fieldsOf } from '../KaleyraWhatsAppNumber/actions/operation';
import { PARAMETERS } from '../KaleyraWhatsAppNumber/actions/registry';
import { serverTextOf } from '../KaleyraWhatsAppNumber/engine/runItem';
import type { Pacer } from '../KaleyraWhatsAppNumber/engine/scheduler';
import { createPacer } from '../KaleyraWhatsAppNumber/engine/scheduler';
import type { Sent } from '../KaleyraWhatsAppNumber/engine/sendWithRetries';
import { sendWithRetries } from '../KaleyraWhatsAppNumber/engine/sendWithRetries';
import {
	OWN_HINTS,
	isUnknownNumberRefusal,
	kaleyraErrorOf,
} from '../KaleyraWhatsAppNumber/results/errorCatalogue';
import type { Secrets } from '../KaleyraWhatsAppNumber/helpers/redactSecrets';
import { secretRedactor } from '../KaleyraWhatsAppNumber/helpers/redactSecrets';
import type { AnswerRules } from '../KaleyraWhatsAppNumber/results/deliveryResult';
import { resultOfDelivery } from '../KaleyraWhatsAppNumber/results/deliveryResult';
import { MAX_LIST_OUTPUT_CHARS } from '../KaleyraWhatsAppNumber/results/listCeilings';
import type { KaleyraEnvelope } from '../KaleyraWhatsAppNumber/transport/kaleyraEnvelope';
import type {
	KaleyraAccount,
	KaleyraRequest,
} from '../KaleyraWhatsAppNumber/transport/kaleyraRequest';
import { resolveAccount } from '../KaleyraWhatsAppNumber/transport/kaleyraRequest';
import type { PollProblem } from './pollError';
import { pollError } from './pollError';
import type { PollSettings } from './pollOptions';

export const asObject = (value: unknown): IDataObject | undefined =>
	typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as IDataObject)
		: undefined;

export const REPORT_IT =
	'Please report it with the shape of the answer (numbers and IDs replaced), so the node can learn it.';

/** The action node's rules for a read's answer; its Success is an answer here, whole. */
const RULES = (timeoutMs: number): AnswerRules => {
	const rules = {
		treatAlreadyApprovedAsSuccess: false,
		timeoutMs,
		operation: { safeToRepeat: true, alreadyApprovedIsDone: false },
		successItems: ({ data }: KaleyraEnvelope) => [{ data: data as IDataObject }],
		// The parameters an error may name: those of the two reads a poll makes.
		parameters: PARAMETERS,
		fieldNames: [getManyNumbers, getNumberDetails]
			.flatMap(fieldsOf)
			.map(({ property }) => property.name),
	};
	return rules;
};

/**
 * The most answer text (list pages and details together) one poll reads: it all goes into the
 * baseline and the items, which n8n keeps whole in memory and in its database. Twice the action
 * node's list output ceiling, as a poll reads each number twice (list entry and details): a
 * WABA at the list's own ceiling of 10,000 numbers stays under it.
 */
export const MAX_POLL_ANSWER_CHARS = 2 * MAX_LIST_OUTPUT_CHARS;

export interface Reader {
	fns: IPollFunctions;
	/** The answer text this poll has read so far. */
	answerChars: number;
	account: KaleyraAccount;
	pacer: Pacer;
	settings: PollSettings;
	/** The API key, for a redactor per answer. */
	secrets: Secrets;
}

async function accountOf(fns: IPollFunctions): Promise<KaleyraAccount> {
	try {
		return await resolveAccount.call(fns);
	} catch (error) {
		const problem: PollProblem =
			error instanceof InvalidCredentialError
				? { code: 'INVALID_CREDENTIAL', message: error.message, hint: error.hint, httpStatus: null }
				: {
						code: 'INVALID_CREDENTIAL',
						message: `the Kaleyra credential could not be read (${String((error as Error).message)})`,
						hint: 'Choose a Kaleyra credential in the node, and check that it still exists.',
						httpStatus: null,
					};
		throw pollError(fns, 'use the Kaleyra credential', problem);
	}
}

/** One GET's tries, through the action node's one send-with-retries: a read is repeated while worth it. */
export async function sendWithTries(reader: Reader, request: KaleyraRequest): Promise<Sent> {
	const { fns, account, pacer, settings } = reader;
	const retry = {
		maxTries: settings.maxTries,
		retryUncertain: false,
		safeToRepeat: true,
		baseDelayMs: 1000,
		maxDelayMs: 30000,
	};
	const call = { ...request, timeoutMs: settings.timeoutMs };
	// Without a stop signal the first try always leaves, so there is always a last delivery.
	return (await sendWithRetries(fns, { account, pacer }, undefined, call, retry)) as Sent;
}

/**
 * Kaleyra's `data` from the last try, judged by the action node's own rules: what is Success
 * there is an answer here; anything else fails the poll with the action node's words.
 */
export function answerOf(reader: Reader, { delivery, attempts }: Sent, what: string): unknown {
	const result = resultOfDelivery(
		{ operation: 'poll' },
		delivery,
		RULES(reader.settings.timeoutMs),
		attempts,
	);
	const serverText = serverTextOf(delivery);
	reader.answerChars += serverText.length;
	if (reader.answerChars > MAX_POLL_ANSWER_CHARS)
		throw pollError(reader.fns, what, {
			code: 'INVALID_RESPONSE',
			message: `Kaleyra's answers to this poll came to more than ${MAX_POLL_ANSWER_CHARS / 1024 / 1024} MiB, far more than a WABA's numbers need, so none of them is kept`,
			hint: 'Check the region or the custom base URL in the credential: Kaleyra sends about 1 KiB a number. For a WABA that large, watch fewer numbers with Options › Only These Numbers.',
			httpStatus: null,
		});
	const redactor = secretRedactor(reader.secrets);
	redactor.heard(serverText);
	if (!result.ok) throw pollError(reader.fns, what, redactor.redact(result.failure));
	// An answer that carries the API key back is a proxy or a server echoing requests: nothing
	// of it is kept (the baseline would store the key). The parsed data is compared too, so a
	// key written with JSON escapes is caught.
	const data = result.items[0]?.data;
	const redacted = redactor.redact(data);
	if (
		redactor.redact(serverText) !== serverText ||
		(redacted !== data && JSON.stringify(redacted) !== JSON.stringify(data))
	)
		throw pollError(reader.fns, what, {
			code: 'INVALID_RESPONSE',
			message: 'the answer carried the API key back, so it is not Kaleyra answering',
			hint: OWN_HINTS.notKaleyra,
			httpStatus: delivery.kind === 'answer' ? delivery.answer.statusCode : null,
		});
	return data;
}

/**
 * Kaleyra's definite refusal of one number (in its envelope, HTTP 4xx): a V1 number, or one it
 * does not know in either path form. Such an answer is about that number only, so a poll can go
 * on without it; the account's refusals (RBC001, account type, WABA) and answers that carry the
 * API key back are not, and fail the poll.
 */
export function numberRefusalOf(reader: Reader, { delivery }: Sent): string | undefined {
	if (delivery.kind !== 'answer' || delivery.envelope === undefined) return undefined;
	const { statusCode } = delivery.answer;
	const { envelope } = delivery;
	if (statusCode < 400 || statusCode >= 500 || statusCode === 429) return undefined;
	const redactor = secretRedactor(reader.secrets);
	const serverText = serverTextOf(delivery);
	redactor.heard(serverText);
	if (redactor.redact(serverText) !== serverText) return undefined;
	const documented = kaleyraErrorOf(envelope);
	const aboutNumber =
		isUnknownNumberRefusal(statusCode, envelope) ||
		(documented?.fields.includes('phoneNumber') ?? false) ||
		// Kaleyra's unknown phone number ID: WA400 naming no account-level field.
		(documented === undefined && envelope.code === 'WA400');
	// Kaleyra's code and the catalogue's words: its own message might name the number in full.
	if (!aboutNumber) return undefined;
	return `${envelope.code}, HTTP ${statusCode}${documented ? `. ${documented.hint}` : ''}`;
}

export async function read(
	reader: Reader,
	request: KaleyraRequest,
	what: string,
): Promise<unknown> {
	return answerOf(reader, await sendWithTries(reader, request), what);
}

/** A reader for one poll: the account read once, one pacer for all its requests. */
export async function openReader(fns: IPollFunctions, settings: PollSettings): Promise<Reader> {
	const account = await accountOf(fns);
	return {
		fns,
		answerChars: 0,
		account,
		pacer: createPacer(settings.requestsPerSecond),
		settings,
		secrets: { apiKey: String(account.credential.credentialsDecrypted?.data?.apiKey ?? '') },
	};
}
