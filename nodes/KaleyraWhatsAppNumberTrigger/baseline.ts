/**
 * The last reading the trigger reported from, in the workflow's static data. Plain JSON only:
 * n8n stores static data as JSON, so a Map or a class would not survive a restart.
 */
import type { IDataObject } from 'n8n-workflow';

import type { NumberRecord } from './events';

interface Baseline {
	/** The WABA the numbers were read from: another WABA starts a new baseline. */
	wabaId: string;
	numbers: NumberRecord[];
}

const KEY = 'baseline';

/** The baseline of `wabaId`; undefined before the first reading or after a WABA change. */
export function baselineOf(staticData: IDataObject, wabaId: string): NumberRecord[] | undefined {
	const baseline = staticData[KEY] as Baseline | undefined;
	return baseline?.wabaId === wabaId && Array.isArray(baseline.numbers)
		? baseline.numbers
		: undefined;
}

export function saveBaseline(
	staticData: IDataObject,
	wabaId: string,
	numbers: NumberRecord[],
): void {
	const baseline: Baseline = { wabaId, numbers };
	// A copy through JSON: what is kept is exactly what n8n will store.
	staticData[KEY] = JSON.parse(JSON.stringify(baseline)) as IDataObject;
}
