/**
 * The trigger's events, and the changes between two readings of a WABA's numbers. Every
 * comparison is of Kaleyra's raw values as they came: nothing derived, nothing coerced.
 */
import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';

/** One number as the trigger keeps it: its ID, and every field Kaleyra sent about it. */
export interface NumberRecord {
	id: string;
	data: IDataObject;
}

export type EventName =
	| 'numberAdded'
	| 'numberRemoved'
	| 'statusChanged'
	| 'nameStatusChanged'
	| 'qualityRatingChanged'
	| 'messagingLimitChanged';

/** The Events list, sorted by name as n8n lists options. */
export const EVENT_OPTIONS: Array<INodePropertyOptions & { value: EventName }> = [
	{
		name: 'Display Name Status Changed',
		value: 'nameStatusChanged',
		description:
			"Meta's review of the display name moved on, e.g. PENDING_REVIEW to APPROVED or DECLINED",
	},
	{
		name: 'Messaging Limit Changed',
		value: 'messagingLimitChanged',
		description: "The number's (or its business portfolio's) messaging limit changed",
	},
	{
		name: 'Number Added',
		value: 'numberAdded',
		description: 'A number appeared in the WABA',
	},
	{
		name: 'Number Removed',
		value: 'numberRemoved',
		description: 'A number is no longer listed in the WABA',
	},
	{
		name: 'Quality Rating Changed',
		value: 'qualityRatingChanged',
		description: 'The quality rating changed, e.g. GREEN to YELLOW',
	},
	{
		name: 'Status Changed',
		value: 'statusChanged',
		description: "The number's status changed, e.g. PENDING to CONNECTED, or to FLAGGED",
	},
];

export const ALL_EVENTS = EVENT_OPTIONS.map(({ value }) => value);

/**
 * Which of Kaleyra's fields drive each change event. For the limit, the business-portfolio
 * fields Meta moved to in October 2025 come first, then the deprecated per-number tier: Kaleyra
 * may send any of them.
 */
const FIELDS_OF_EVENT: Array<{ event: EventName; fields: string[] }> = [
	{ event: 'statusChanged', fields: ['status'] },
	{ event: 'nameStatusChanged', fields: ['name_status'] },
	{ event: 'qualityRatingChanged', fields: ['quality_rating'] },
	{
		event: 'messagingLimitChanged',
		fields: [
			'whatsapp_business_manager_messaging_limit',
			'max_daily_conversations_per_business',
			'messaging_limit_tier',
		],
	},
];

/** Every field a change event is read from. */
export const WATCHED_FIELDS = FIELDS_OF_EVENT.flatMap(({ fields }) => fields);

/** One output item of the trigger. */
export interface NumberEvent extends IDataObject {
	event: EventName;
	phoneNumber: IDataObject[keyof IDataObject];
	phoneNumberId: string;
	previous: IDataObject[keyof IDataObject];
	current: IDataObject[keyof IDataObject];
	data: IDataObject;
}

/** A field's raw value; an absent field and null are the same "no value". */
const valueOf = (data: IDataObject, field: string) => data[field] ?? null;

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function eventOf(
	event: EventName,
	record: NumberRecord,
	previous: NumberEvent['previous'],
	current: NumberEvent['current'],
): NumberEvent {
	return {
		event,
		phoneNumber: record.data.phone_number ?? null,
		phoneNumberId: record.id,
		previous,
		current,
		data: record.data,
	};
}

/** What changed for one number listed both times: one event per event kind, in a fixed order. */
function fieldChanges(before: NumberRecord, after: NumberRecord): NumberEvent[] {
	const events: NumberEvent[] = [];
	for (const { event, fields } of FIELDS_OF_EVENT) {
		// Several limit fields move together; the first that changed speaks for the event.
		const changed = fields.find(
			(field) => !sameValue(valueOf(before.data, field), valueOf(after.data, field)),
		);
		if (changed !== undefined)
			events.push(
				eventOf(event, after, valueOf(before.data, changed), valueOf(after.data, changed)),
			);
	}
	return events;
}

/**
 * Every change from `before` to `after` whose event is in `wanted`: numbers in `after`'s order
 * (added ones among them), then the removed ones in `before`'s order.
 */
export function changesBetween(
	before: NumberRecord[],
	after: NumberRecord[],
	wanted: ReadonlySet<EventName>,
): NumberEvent[] {
	const previous = new Map(before.map((record) => [record.id, record]));
	const listed = new Set(after.map((record) => record.id));
	const events: NumberEvent[] = [];
	for (const record of after) {
		const earlier = previous.get(record.id);
		if (earlier) events.push(...fieldChanges(earlier, record));
		else events.push(eventOf('numberAdded', record, null, valueOf(record.data, 'status')));
	}
	for (const record of before) {
		if (!listed.has(record.id))
			events.push(eventOf('numberRemoved', record, valueOf(record.data, 'status'), null));
	}
	return events.filter(({ event }) => wanted.has(event));
}

/** What Fetch Test Event shows: each current number as it would arrive when newly added. */
export function currentNumbers(records: NumberRecord[]): NumberEvent[] {
	return records.map((record) =>
		eventOf('numberAdded', record, null, valueOf(record.data, 'status')),
	);
}
