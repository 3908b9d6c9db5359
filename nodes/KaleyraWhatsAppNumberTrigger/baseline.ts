/**
 * The last reading the trigger reported from, in the workflow's static data. Plain JSON only:
 * n8n stores static data as JSON, so a Map or a class would not survive a restart.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Pending } from './confirm';
import type { NumberRecord } from './events';

/** What the trigger watches: another WABA, or another list of numbers, starts a new baseline. */
export interface Watched {
	wabaId: string;
	/** Options › Only These Numbers, sorted; null for every number of the WABA. */
	phoneNumbers: string[] | null;
}

interface Baseline extends Watched {
	numbers: NumberRecord[];
	/** What the last poll saw and held back until a second poll confirms it. */
	pending?: Pending;
}

const KEY = 'baseline';

/** The baseline of what is watched; undefined before the first reading or after a change of it. */
export function baselineOf(
	staticData: IDataObject,
	watched: Watched,
): { numbers: NumberRecord[]; pending: Pending } | undefined {
	const baseline = staticData[KEY] as Baseline | undefined;
	const same =
		baseline?.wabaId === watched.wabaId &&
		JSON.stringify(baseline.phoneNumbers ?? null) === JSON.stringify(watched.phoneNumbers);
	return same && Array.isArray(baseline.numbers)
		? { numbers: baseline.numbers, pending: baseline.pending ?? {} }
		: undefined;
}

export function saveBaseline(
	staticData: IDataObject,
	watched: Watched,
	numbers: NumberRecord[],
	pending: Pending = {},
): void {
	const baseline: Baseline = { ...watched, numbers, pending };
	// A copy through JSON: what is kept is exactly what n8n will store.
	staticData[KEY] = JSON.parse(JSON.stringify(baseline)) as IDataObject;
}
