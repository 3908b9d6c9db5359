/**
 * Observations a single poll is not trusted with. A list that drops every number, or a watched
 * field that disappears, is what a maintenance page or a lying proxy answers as much as a real
 * change: reported at once, they come back one poll later as the opposite change (numberRemoved
 * then numberAdded for every number; X → null → X). Each is held back, the baseline keeping
 * what it had, until the next poll sees the same; then it is reported, once.
 */
import type { NumberRecord } from './events';
import { WATCHED_FIELDS } from './events';

/** What the last poll held back; plain JSON, kept with the baseline in static data. */
export interface Pending {
	/** The last poll's list held none of the baseline's numbers. */
	allRemoved?: boolean;
	/** By number ID, the watched fields the last poll's answers no longer had. */
	vanished?: Record<string, string[]>;
}

/** The reading to report from and record: `after`, less what is not confirmed yet. */
export function confirmed(
	before: NumberRecord[],
	after: NumberRecord[],
	pending: Pending,
): { numbers: NumberRecord[]; pending: Pending } {
	if (before.length > 0 && after.length === 0)
		return pending.allRemoved
			? { numbers: after, pending: {} }
			: { numbers: before, pending: { allRemoved: true } };
	const previous = new Map(before.map((record) => [record.id, record]));
	const vanished: Record<string, string[]> = {};
	const numbers = after.map((record) => {
		const earlier = previous.get(record.id);
		if (!earlier) return record;
		const seenGone = pending.vanished?.[record.id] ?? [];
		const held = WATCHED_FIELDS.filter(
			(field) =>
				earlier.data[field] !== undefined &&
				record.data[field] === undefined &&
				!seenGone.includes(field),
		);
		if (held.length === 0) return record;
		vanished[record.id] = held;
		const data = { ...record.data };
		for (const field of held) data[field] = earlier.data[field];
		return { id: record.id, data };
	});
	return { numbers, pending: Object.keys(vanished).length > 0 ? { vanished } : {} };
}
