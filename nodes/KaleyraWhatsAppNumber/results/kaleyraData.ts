/**
 * Convenience fields read out of Kaleyra's `data`, whose shape only the verify and retry pages
 * show. Each copies one raw value (a string, number or boolean, never converted) and is present
 * only when found; `data` itself is always kept whole beside them (see docs/kaleyra-api.md).
 */
import type { IDataObject } from 'n8n-workflow';

const asObject = (value: unknown): IDataObject | undefined =>
	typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as IDataObject)
		: undefined;

/** A digit string, or a JSON integer small enough to have kept its digits. */
function digitsOf(value: unknown): string | undefined {
	if (typeof value === 'string' && /^\d{1,32}$/.test(value)) return value;
	if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
	return undefined;
}

/** `{ key: value }` for each key whose value is a non-empty string, a number or a boolean. */
function picked(source: IDataObject, names: Record<string, string>): IDataObject {
	const result: IDataObject = {};
	for (const [ours, theirs] of Object.entries(names)) {
		const value = source[theirs];
		if (
			(typeof value === 'string' && value !== '') ||
			typeof value === 'number' ||
			typeof value === 'boolean'
		)
			result[ours] = value;
	}
	return result;
}

// Meta's per-number tier (deprecated since October 2025), and the business portfolio's limits that
// replace it. Each is copied as Kaleyra sends it, or left out: a number with no limit has none.
const LIMIT_FIELDS = {
	messagingLimitTier: 'messaging_limit_tier',
	messagingLimit: 'whatsapp_business_manager_messaging_limit',
	maxDailyConversations: 'max_daily_conversations_per_business',
};

/** The phone number ID in an add answer: `data.id`, `data.phone_number_id`, or `data` itself. */
export function phoneNumberIdIn(data: unknown): IDataObject {
	const object = asObject(data);
	const id = object ? (digitsOf(object.id) ?? digitsOf(object.phone_number_id)) : digitsOf(data);
	return id === undefined ? {} : { phoneNumberId: id };
}

/** The entries of a number list: `data` as a list, or a list under `data.numbers`/`data.data`. */
export function numberEntriesIn(data: unknown): unknown[] | undefined {
	if (Array.isArray(data)) return data;
	const object = asObject(data);
	for (const key of ['numbers', 'phone_numbers', 'data']) {
		if (object && Array.isArray(object[key])) return object[key] as unknown[];
	}
	return undefined;
}

/** What one list entry says of its number, as the other operations name it. */
export function numberSummaryOf(entry: unknown): IDataObject {
	const object = asObject(entry);
	if (!object) return {};
	const id = digitsOf(object.id) ?? digitsOf(object.phone_number_id);
	return {
		...(id === undefined ? {} : { phoneNumberId: id }),
		...picked(object, {
			phoneNumber: 'phone_number',
			displayName: 'name',
			verifiedName: 'verified_name',
			status: 'status',
			qualityRating: 'quality_rating',
			...LIMIT_FIELDS,
		}),
	};
}

/** The fields of Kaleyra's number details page, under the names the node uses. */
export function numberDetailsOf(data: unknown): IDataObject {
	const object = asObject(data);
	if (!object) return {};
	const problem = picked(object, {
		error: 'error',
		description: 'error_description',
		possibleSolution: 'possible_solution',
	});
	return {
		...picked(object, {
			status: 'status',
			qualityRating: 'quality_rating',
			qualityScore: 'quality_score',
			...LIMIT_FIELDS,
			verifiedName: 'verified_name',
			nameStatus: 'name_status',
			throughputLevel: 'throughput_level',
			canSendMessage: 'can_send_message',
			canReceiveCall: 'can_receive_call',
			canReceiveCallSip: 'can_receive_call_sip',
		}),
		...(Object.keys(problem).length > 0 ? { numberProblem: problem } : {}),
	};
}

/**
 * The cursor of the page after this one: `paging.cursors.after` (Meta's Graph API paging), or the
 * `after` of a `paging.next` link. Only the cursor is taken: the link is never followed.
 */
export function nextCursorIn(data: unknown): string | undefined {
	const paging = asObject(asObject(data)?.paging);
	const after = asObject(paging?.cursors)?.after;
	if (typeof after === 'string' && after !== '') return after;
	if (typeof paging?.next !== 'string') return undefined;
	try {
		return new URL(paging.next).searchParams.get('after') || undefined;
	} catch {
		return undefined;
	}
}

/** What Kaleyra sent beside a list in `data` (paging cursors, a next link), or undefined. */
export function listInfoIn(data: unknown): IDataObject | undefined {
	const object = asObject(data);
	if (!object) return undefined;
	const listKey = ['numbers', 'phone_numbers', 'data'].find((key) => Array.isArray(object[key]));
	const rest = Object.entries(object).filter(([key]) => key !== listKey);
	return rest.length > 0 ? Object.fromEntries(rest) : undefined;
}

/** A list entry's phone number as digits, from `phone_number` or Meta's `display_phone_number`. */
export function phoneDigitsOf(entry: unknown): string | undefined {
	const object = asObject(entry);
	const shown = object?.phone_number ?? object?.display_phone_number;
	return typeof shown === 'string' ? shown.replace(/\D/g, '') : undefined;
}

/** A list entry's phone number ID, as `numberSummaryOf` reads it. */
export function phoneNumberIdOf(entry: unknown): string | undefined {
	const object = asObject(entry);
	return object ? (digitsOf(object.id) ?? digitsOf(object.phone_number_id)) : undefined;
}
