/**
 * One reading of a WABA's numbers: the list (every page, when Kaleyra pages it), then Get
 * Number Details for each listed number, through the action node's transport, requests and
 * answer rules. Only GETs. Any read that fails fails the whole reading: a partial one would
 * report numbers as removed, or changes as undone.
 */
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { InvalidCredentialError } from '../../credentials/kaleyraAccountUrl';
import { getManyNumbers } from '../KaleyraWhatsAppNumber/actions/getManyNumbers.operation';
import { getNumberDetails } from '../KaleyraWhatsAppNumber/actions/getNumberDetails.operation';
import { retryVerdict } from '../KaleyraWhatsAppNumber/engine/retryPolicy';
import type { Pacer } from '../KaleyraWhatsAppNumber/engine/scheduler';
import { createPacer, mapWithConcurrency, pause } from '../KaleyraWhatsAppNumber/engine/scheduler';
import { HINTS } from '../KaleyraWhatsAppNumber/helpers/hints';
import { secretRedactor } from '../KaleyraWhatsAppNumber/helpers/redactSecrets';
import { toE164 } from '../KaleyraWhatsAppNumber/helpers/validation';
import type { AnswerRules } from '../KaleyraWhatsAppNumber/results/itemResults';
import type { KaleyraEnvelope } from '../KaleyraWhatsAppNumber/transport/kaleyraEnvelope';
import { resultOfDelivery } from '../KaleyraWhatsAppNumber/results/itemResults';
import { numberEntriesIn, numberSummaryOf } from '../KaleyraWhatsAppNumber/results/kaleyraData';
import type {
	Delivery,
	KaleyraAccount,
	KaleyraRequest,
} from '../KaleyraWhatsAppNumber/transport/kaleyraRequest';
import { resolveAccount, sendKaleyraCall } from '../KaleyraWhatsAppNumber/transport/kaleyraRequest';
import type { NumberRecord } from './events';
import type { PollProblem } from './pollError';
import { pollError } from './pollError';
import type { PollSettings } from './pollOptions';

// A list that pages on and on (a cursor that never ends) is not a WABA's numbers.
const MAX_LIST_PAGES = 1000;

const asObject = (value: unknown): IDataObject | undefined =>
	typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as IDataObject)
		: undefined;

const REPORT_IT =
	'Please report it with the shape of the answer (numbers and IDs replaced), so the node can learn it.';

/** The action node's rules for a read's answer; its Success is an answer here, whole. */
const RULES = (timeoutMs: number): AnswerRules => {
	const rules = {
		treatAlreadyApprovedAsSuccess: false,
		timeoutMs,
		safeToRepeat: true,
		alreadyApprovedIsDone: false,
		successItems: ({ data }: KaleyraEnvelope) => [{ data: data as IDataObject }],
		// The parameters an error may name, where the action node's rules ask for them.
		fieldNames: ['wabaId', 'phoneNumber'],
	};
	return rules;
};

/** The last try of a read, and how many were sent. */
interface Sent {
	delivery: Delivery;
	attempt: number;
}

interface Reader {
	fns: IPollFunctions;
	account: KaleyraAccount;
	pacer: Pacer;
	settings: PollSettings;
	redact: ReturnType<typeof secretRedactor>;
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

/** One GET's tries: sent again while that is worth it (a read changes nothing at Kaleyra). */
async function sendWithTries(reader: Reader, request: KaleyraRequest): Promise<Sent> {
	const { fns, account, pacer, settings } = reader;
	const call = { ...request, timeoutMs: settings.timeoutMs };
	const retry = {
		maxTries: settings.maxTries,
		retryUncertain: false,
		safeToRepeat: true,
		baseDelayMs: 1000,
		maxDelayMs: 30000,
	};
	for (let attempt = 1; ; attempt++) {
		await pacer.wait();
		const delivery = await sendKaleyraCall.call(fns, account, call);
		const verdict = retryVerdict(delivery, attempt, retry);
		if (!verdict.retry) return { delivery, attempt };
		await pause(verdict.delayMs);
	}
}

/**
 * Kaleyra's `data` from the last try, judged by the action node's own rules: what is Success
 * there is an answer here; anything else fails the poll with the action node's words.
 */
function answerOf(reader: Reader, { delivery, attempt }: Sent, what: string): unknown {
	const result = resultOfDelivery(
		{ operation: 'poll' },
		delivery,
		RULES(reader.settings.timeoutMs),
		attempt,
	);
	const serverText =
		delivery.kind === 'answer'
			? `${delivery.answer.body} ${String(delivery.answer.headers.location ?? '')}`
			: '';
	if (!result.ok) throw pollError(reader.fns, what, reader.redact(result.failure, serverText));
	// An answer that carries the API key back is a proxy or a server echoing requests: nothing
	// of it is kept (the baseline would store the key).
	if (reader.redact(serverText, serverText) !== serverText)
		throw pollError(reader.fns, what, {
			code: 'INVALID_RESPONSE',
			message: 'the answer carried the API key back, so it is not Kaleyra answering',
			hint: HINTS.notKaleyra,
			httpStatus: delivery.kind === 'answer' ? delivery.answer.statusCode : null,
		});
	return result.items[0]?.data;
}

async function read(reader: Reader, request: KaleyraRequest, what: string): Promise<unknown> {
	return answerOf(reader, await sendWithTries(reader, request), what);
}

/** The cursor of the next page, when the answer is paged and has one. */
function nextCursor(data: unknown): string | undefined {
	const paging = asObject(asObject(data)?.paging);
	const after = asObject(paging?.cursors)?.after;
	return typeof after === 'string' && after !== '' ? after : undefined;
}

/** Every entry of the WABA's list, page after page when the answer says there are more. */
async function listEntries(reader: Reader, wabaId: string): Promise<unknown[]> {
	const what = `list the numbers of WABA ${wabaId}`;
	const request = getManyNumbers.request({ wabaId });
	const entries: unknown[] = [];
	const seen = new Set<string>();
	let cursor: string | undefined;
	for (let page = 1; ; page++) {
		const path =
			cursor === undefined ? request.path : `${request.path}?after=${encodeURIComponent(cursor)}`;
		const data = await read(reader, { ...request, path }, what);
		const pageEntries = numberEntriesIn(data);
		if (!pageEntries)
			throw pollError(reader.fns, what, {
				code: 'INVALID_RESPONSE',
				message: "Kaleyra's answer holds no list of numbers in a shape this node knows",
				hint: REPORT_IT,
				httpStatus: null,
			});
		entries.push(...pageEntries);
		cursor = nextCursor(data);
		if (cursor === undefined) return entries;
		if (seen.has(cursor) || page >= MAX_LIST_PAGES)
			throw pollError(reader.fns, what, {
				code: 'INVALID_RESPONSE',
				message: `Kaleyra's list pages on without end (${page} pages read)`,
				hint: HINTS.gatewayTrouble,
				httpStatus: null,
			});
		seen.add(cursor);
	}
}

/** Each listed number's ID and E.164 number; an entry without them cannot be followed. */
function identify(reader: Reader, wabaId: string, entries: unknown[]) {
	const numbers: Array<{ id: string; phoneNumber: string; entry: IDataObject }> = [];
	const ids = new Set<string>();
	entries.forEach((value, index) => {
		const entry = asObject(value);
		const id = numberSummaryOf(entry).phoneNumberId;
		let phoneNumber: string | undefined;
		try {
			phoneNumber = toE164('phone_number', entry?.phone_number);
		} catch {
			phoneNumber = undefined;
		}
		if (!entry || typeof id !== 'string' || phoneNumber === undefined)
			throw pollError(reader.fns, `list the numbers of WABA ${wabaId}`, {
				code: 'INVALID_RESPONSE',
				message: `entry ${index + 1} of Kaleyra's list has no usable id and phone_number`,
				hint: REPORT_IT,
				httpStatus: null,
			});
		// A number listed twice (pages that overlap) is one number.
		if (ids.has(id)) return;
		ids.add(id);
		numbers.push({ id, phoneNumber, entry });
	});
	return numbers;
}

/**
 * The WABA's numbers, each as its list entry with its Get Number Details answer laid over it:
 * every field Kaleyra sent about the number, unknown ones included.
 */
export async function readNumbers(
	fns: IPollFunctions,
	wabaId: string,
	settings: PollSettings,
): Promise<NumberRecord[]> {
	const account = await accountOf(fns);
	const reader: Reader = {
		fns,
		account,
		pacer: createPacer(settings.requestsPerSecond),
		settings,
		redact: secretRedactor({
			apiKey: String(account.credential.credentialsDecrypted?.data?.apiKey ?? ''),
		}),
	};
	const numbers = identify(reader, wabaId, await listEntries(reader, wabaId));
	// The first failed read stops the others from starting: the poll fails either way.
	let failure: Error | undefined;
	const records = await mapWithConcurrency(numbers.length, settings.concurrency, async (index) => {
		if (failure) return undefined;
		const { id, phoneNumber, entry } = numbers[index];
		const what = `read the details of ${phoneNumber} (phone number ID ${id})`;
		try {
			// The details path as the action node's Get Number Details builds it, whichever form
			// of the number Kaleyra turns out to want there.
			const details = asObject(await read(reader, getNumberDetails.request({ phoneNumber }), what));
			if (!details)
				throw pollError(fns, what, {
					code: 'INVALID_RESPONSE',
					message: "Kaleyra's answer holds no details object",
					hint: REPORT_IT,
					httpStatus: null,
				});
			return { id, data: { ...entry, ...details } };
		} catch (error) {
			failure ??= error as Error;
			return undefined;
		}
	});
	if (failure) throw failure;
	return records as NumberRecord[];
}
