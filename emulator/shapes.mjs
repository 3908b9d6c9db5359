// The `data` of add, list and details, which Kaleyra does not publish: built from a number and
// the dialect. Every field name and value here is an assumption (see each comment).
import { LIMIT_CONVERSATIONS } from './numberFields.mjs';

/**
 * The limit fields the dialect's `limits` axis names. A number with no limit yet has them
 * null, never an invented tier.
 * ASSUMED (docs/kaleyra-api.md#messaging-limits)
 */
function limitFields(number, dialect) {
	const tier = { messaging_limit_tier: number.limit };
	const portfolio = {
		whatsapp_business_manager_messaging_limit: number.limit,
		max_daily_conversations_per_business:
			number.limit === null ? null : LIMIT_CONVERSATIONS[number.limit],
	};
	if (dialect.limits === 'tier') return tier;
	if (dialect.limits === 'portfolio') return portfolio;
	return { ...tier, ...portfolio };
}

// ASSUMED (docs/kaleyra-api.md#health-fields): Meta's strings (AVAILABLE, LIMITED, BLOCKED)
// with calling as can_receive_call_sip, or booleans with can_receive_call. No calling is set
// up on any emulated number.
function healthFields(number, dialect) {
	const canSend = number.status === 'CONNECTED';
	if (dialect.health === 'booleans') return { can_receive_call: false, can_send_message: canSend };
	return {
		can_receive_call_sip: 'BLOCKED',
		can_send_message: canSend
			? number.qualityRating === 'RED'
				? 'LIMITED'
				: 'AVAILABLE'
			: 'BLOCKED',
	};
}

/** One entry of the list. ASSUMED (docs/kaleyra-api.md#list-shape): every field. */
export function listEntry(id, number, dialect) {
	return {
		id,
		phone_number: number.phoneNumber, // E.164 with '+'
		name: number.name,
		status: number.status,
		// only for numbers added here (a fixture's first OTP channel is unknown)
		...(number.verificationType ? { verification_type: number.verificationType } : {}),
		quality_rating: number.qualityRating,
		...limitFields(number, dialect),
		name_status: number.nameStatus,
		verified_name: number.name, // the display name, reviewed or not
	};
}

/** Details' `data`. ASSUMED (docs/kaleyra-api.md#details-fields): every name and value. */
export function detailsOf(number, dialect) {
	const connected = number.status === 'CONNECTED';
	const pending = number.status === 'PENDING';
	return {
		...limitFields(number, dialect),
		name_status: number.nameStatus,
		quality_rating: number.qualityRating,
		quality_score: number.qualityRating, // a string, not Meta's { score, date }
		status: number.status,
		throughput_level: connected ? 'STANDARD' : 'NOT_APPLICABLE',
		verified_name: number.name,
		...healthFields(number, dialect),
		entity_type: 'PHONE_NUMBER',
		// empty strings when there is no error
		error: pending ? 'number not verified' : '',
		error_description: pending
			? 'The phone number has not been verified with the OTP sent to it.'
			: '',
		possible_solution: pending ? 'Verify the number with the OTP it received' : '',
	};
}

/** Add's `data`. ASSUMED (docs/kaleyra-api.md#add-shape): the three shapes. */
export function addedData(id, number, dialect) {
	if (dialect.addShape === 'bare') return id;
	const rest = {
		phone_number: number.phoneNumber,
		name: number.name, // as stored (trimmed)
		verification_type: number.verificationType,
		status: number.status,
	};
	return dialect.addShape === 'phoneNumberId' ? { phone_number_id: id, ...rest } : { id, ...rest };
}

// ASSUMED (docs/kaleyra-api.md#list-paging): an opaque cursor; here the next entry's index.
const cursorOf = (index) => Buffer.from(`after:${index}`).toString('base64url');
/** The index a cursor names, or null when it is not one of ours. */
export function indexOfCursor(cursor) {
	const match = /^after:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
	return match ? Number(match[1]) : null;
}

const LIST_KEY = {
	numbers: 'numbers',
	phone_numbers: 'phone_numbers',
	data: 'data',
	array: 'data',
};

/**
 * The list's `data` for `entries` from `start`: the dialect's listShape, and with paging
 * 'cursor' one page of pageSize with Meta's `paging` beside the list (`pageUrl(cursor)` is
 * the next page's absolute URL). ASSUMED (docs/kaleyra-api.md#list-shape,
 * docs/kaleyra-api.md#list-paging).
 */
export function listData(entries, start, dialect, pageUrl) {
	if (dialect.paging === 'none') {
		return dialect.listShape === 'array' ? entries : { [LIST_KEY[dialect.listShape]]: entries };
	}
	const end = start + dialect.pageSize;
	const page = entries.slice(start, end);
	const paging =
		end < entries.length
			? { cursors: { before: cursorOf(start), after: cursorOf(end) }, next: pageUrl(cursorOf(end)) }
			: { cursors: { before: cursorOf(start) } };
	return { [LIST_KEY[dialect.listShape]]: page, paging };
}
