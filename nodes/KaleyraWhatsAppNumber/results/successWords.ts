/**
 * The last shaping of every Success item: it leads with `outcome`, the operation's plain words for
 * what happened; `code` is only ever an accepted code; `data` is always an object. Kaleyra's raw
 * values stay whole under stable names (`kaleyraCode`, `kaleyraData`).
 */
import type { IDataObject } from 'n8n-workflow';

import { SUCCESS_CODES } from './errorCatalogue';

/** An operation's plain words for one of its Success items, read from the item's own fields. */
export type SuccessWords = (item: IDataObject) => string;

/** How a code reached the number, as a person says it. */
export const byChannel = (channel: unknown): string =>
	channel === 'VOICE' ? 'by voice call' : 'by SMS';

export function inPlainWords(item: IDataObject, words: SuccessWords): IDataObject {
	const shaped: IDataObject = { success: item.success, outcome: words(item) };
	for (const [key, value] of Object.entries(item)) {
		// A Success reached through Kaleyra's refusal (already approved, already exists): its code
		// would read as an error beside the WA200s, so it is kept as Kaleyra's, not as the item's.
		if (key === 'code' && !SUCCESS_CODES.has(String(value))) shaped.kaleyraCode = value;
		else if (key !== 'data') shaped[key] = value;
		else if (typeof value === 'object' && value !== null && !Array.isArray(value))
			shaped.data = value;
		else {
			// Kaleyra's `data` is an ID string, `true` or `[]` by operation and dialect: expressions
			// get one type, and the raw value is kept as sent (absent when Kaleyra sent none).
			shaped.data = {};
			if (value !== undefined) shaped.kaleyraData = value;
		}
	}
	return shaped;
}
