/**
 * One reading of a WABA's numbers: the list (every page, when Kaleyra pages it), then Get
 * Number Details for each listed number, with the action node's own requests. Any read that
 * fails fails the whole reading: a partial one would report numbers as removed, or changes as
 * undone. The one exception is Kaleyra's definite refusal of one number's details: that number
 * is skipped (named in `skipped`), so one V1 number cannot silence the trigger for the others.
 */
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { getNumberDetails } from '../KaleyraWhatsAppNumber/actions/getNumberDetails.operation';
import { numberListRequest } from '../KaleyraWhatsAppNumber/actions/numberList';
import type { RequestForms } from '../KaleyraWhatsAppNumber/actions/operation';
import { createFormLesson, sendInLearnedForm } from '../KaleyraWhatsAppNumber/engine/formLesson';
import { mapWithConcurrency } from '../KaleyraWhatsAppNumber/engine/scheduler';
import type { Sent } from '../KaleyraWhatsAppNumber/engine/sendWithRetries';
import { OWN_HINTS } from '../KaleyraWhatsAppNumber/results/errorCatalogue';
import { maskPhoneNumber } from '../KaleyraWhatsAppNumber/helpers/requestLog';
import { toE164 } from '../KaleyraWhatsAppNumber/helpers/validation';
import {
	nextCursorIn,
	numberEntriesIn,
	numberSummaryOf,
} from '../KaleyraWhatsAppNumber/results/kaleyraData';
import { MAX_LIST_ITEMS, MAX_LIST_PAGES } from '../KaleyraWhatsAppNumber/results/listCeilings';
import type { NumberRecord } from './events';
import { formsForPoll, rememberForm } from './formMemory';
import type { Reader } from './kaleyraReader';
import {
	REPORT_IT,
	answerOf,
	asObject,
	numberRefusalOf,
	openReader,
	read,
	sendWithTries,
} from './kaleyraReader';
import { pollError } from './pollError';
import type { PollSettings } from './pollOptions';

const DETAILS_FORMS = getNumberDetails.forms as RequestForms;

/** Every entry of the WABA's list, page after page when the answer says there are more. */
async function listEntries(reader: Reader, wabaId: string): Promise<unknown[]> {
	const what = `list the numbers of WABA ${wabaId}`;
	// Get Many Numbers' own list request: the first page, then each by its cursor on the same path
	// (never a next link), within the action node's list ceilings.
	const entries: unknown[] = [];
	const seen = new Set<string>();
	let cursor: string | undefined;
	for (let page = 1; ; page++) {
		const data = await read(reader, numberListRequest(wabaId, cursor), what);
		const pageEntries = numberEntriesIn(data);
		if (!pageEntries)
			throw pollError(reader.fns, what, {
				code: 'INVALID_RESPONSE',
				message: "Kaleyra's answer holds no list of numbers in a shape this node knows",
				hint: REPORT_IT,
				httpStatus: null,
			});
		entries.push(...pageEntries);
		if (entries.length > MAX_LIST_ITEMS)
			throw pollError(reader.fns, what, {
				code: 'INVALID_RESPONSE',
				message: `Kaleyra's list holds more than ${MAX_LIST_ITEMS} numbers, the most the node follows`,
				hint: OWN_HINTS.notKaleyra,
				httpStatus: null,
			});
		cursor = nextCursorIn(data);
		// An empty page ends the list even with a cursor: Meta's last cursor leads to one.
		if (cursor === undefined || pageEntries.length === 0) return entries;
		if (seen.has(cursor) || page >= MAX_LIST_PAGES)
			throw pollError(reader.fns, what, {
				code: 'INVALID_RESPONSE',
				message: `Kaleyra's list pages on without end (${page} pages read)`,
				hint: OWN_HINTS.gatewayTrouble,
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

export interface Reading {
	numbers: NumberRecord[];
	/** IDs of listed numbers whose details Kaleyra refused: neither read nor taken for removed. */
	skipped: string[];
}

/**
 * The WABA's numbers (only those in `only`, when given), each as its list entry with its Get
 * Number Details answer laid over it: every field Kaleyra sent about the number, unknown ones
 * included.
 */
export async function readNumbers(
	fns: IPollFunctions,
	wabaId: string,
	settings: PollSettings,
	only: readonly string[] | null = null,
): Promise<Reading> {
	const reader = await openReader(fns, settings);
	const lesson = createFormLesson();
	const forms = formsForPoll(fns, DETAILS_FORMS);
	const listed = identify(reader, wabaId, await listEntries(reader, wabaId));
	const numbers = only ? listed.filter(({ phoneNumber }) => only.includes(phoneNumber)) : listed;
	// The first failed read stops the others from starting: the poll fails either way.
	let failure: Error | undefined;
	const skipped: string[] = [];
	const records = await mapWithConcurrency(numbers.length, settings.concurrency, async (index) => {
		if (failure) return undefined;
		const { id, phoneNumber, entry } = numbers[index];
		const what = `read the details of ${phoneNumber} (phone number ID ${id})`;
		try {
			// The details path in the form Kaleyra takes, learned by this poll as the action node
			// learns it in a run (at most MAX_LEARNING_TRIES extra requests), the last poll's form tried first.
			const { sent } = await sendInLearnedForm(lesson, forms, async (form) =>
				sendWithTries(reader, getNumberDetails.request({ phoneNumber }, form)),
			);
			const refusal = numberRefusalOf(reader, sent as Sent);
			if (refusal !== undefined) {
				skipped.push(id);
				fns.logger.warn(
					`Kaleyra refused the details of ${maskPhoneNumber(phoneNumber)} (phone number ID ${id}): ${refusal}. This poll skips the number and reports nothing about it.`,
				);
				return undefined;
			}
			const details = asObject(answerOf(reader, sent as Sent, what));
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
	rememberForm(fns, lesson.learned);
	if (failure) throw failure;
	return { numbers: records.filter((record) => record !== undefined), skipped };
}
