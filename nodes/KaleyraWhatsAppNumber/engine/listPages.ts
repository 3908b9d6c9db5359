/**
 * Follows a number list's pages by cursor, on the same path, within the node's ceilings: an input
 * item gets all its Success items, or one Error item, never both.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ItemContext, ItemResult } from '../results/itemResults';
import { OWN_ERROR_CODES } from '../results/errorCatalogue';
import { failureResult, stoppedBeforeSendingFailure } from '../results/itemResults';
import { nextCursorIn, numberEntriesIn } from '../results/kaleyraData';
import { MAX_LIST_ITEMS, MAX_LIST_OUTPUT_CHARS, MAX_LIST_PAGES } from '../results/listCeilings';
import type { Delivery, KaleyraRequest } from '../transport/kaleyraRequest';
import type { Sent } from './sendWithRetries';

/** Sends one request with its retries; undefined when a Stop came before it left. */
export type Send = (request: KaleyraRequest) => Promise<Sent | undefined>;

export interface ListWalk {
	context: ItemContext;
	send: Send;
	/** The first page, already sent. */
	first: Sent;
	/** The request for the page after `cursor`. */
	next(cursor: string): KaleyraRequest;
	/** How many Success items are wanted: a number, or all up to MAX_LIST_ITEMS. */
	wanted: number | 'all';
	/** A page's Success items (at most `room`) or the item's Error, from its delivery. */
	pageResult(delivery: Delivery, attempts: number, room: number): ItemResult;
}

const TOO_LONG_HINT =
	'Turn off Return All and set Limit to take the first numbers only, or check the base URL in the credential if the WABA cannot hold that many numbers.';
const NOT_A_LIST_HINT =
	'Check the region or the custom base URL in the credential: no Kaleyra list answers like this.';

function listFailure(
	context: ItemContext,
	message: string,
	hint: string,
	attempts: number,
): { result: ItemResult; attempts: number } {
	const failure = {
		code: OWN_ERROR_CODES.invalidResponse,
		message,
		httpStatus: null,
		fields: [],
		hint,
		retryable: false,
	};
	return { result: failureResult(context, failure, attempts), attempts };
}

/** The item's result from the pages, and how many requests they took in all. */
export async function walkPages(walk: ListWalk): Promise<{ result: ItemResult; attempts: number }> {
	const { context, wanted } = walk;
	const items: IDataObject[] = [];
	const cursors = new Set<string>();
	let sent = walk.first;
	let attempts = 0;
	let chars = 0;
	for (let pages = 1; ; pages++) {
		attempts += sent.attempts;
		const room = wanted === 'all' ? MAX_LIST_ITEMS + 1 - items.length : wanted - items.length;
		const page = walk.pageResult(sent.delivery, attempts, room);
		if (!page.ok) return { result: page, attempts };
		for (const item of page.items) {
			// Each item is saved as JSON: paging repeated on every item counts too.
			chars += JSON.stringify(item).length;
			if (chars > MAX_LIST_OUTPUT_CHARS)
				return listFailure(
					context,
					`Kaleyra's list would make more than ${MAX_LIST_OUTPUT_CHARS / 1024 / 1024} MiB of output for this item, far more than any list of numbers: none is output`,
					NOT_A_LIST_HINT,
					attempts,
				);
			items.push(item);
		}
		if (items.length > MAX_LIST_ITEMS)
			return listFailure(
				context,
				`Kaleyra's list holds more than ${MAX_LIST_ITEMS} numbers, the most the node outputs for one item: none is output`,
				TOO_LONG_HINT,
				attempts,
			);
		if (wanted !== 'all' && items.length >= wanted) break;
		const data = sent.delivery.kind === 'answer' ? sent.delivery.envelope?.data : undefined;
		const cursor = nextCursorIn(data);
		// An empty page ends the list even with a cursor: Meta's last cursor leads to one.
		if (cursor === undefined || numberEntriesIn(data)?.length === 0) break;
		if (cursors.has(cursor))
			return listFailure(
				context,
				"Kaleyra's list gave a page cursor it had given before: its pages loop",
				NOT_A_LIST_HINT,
				attempts,
			);
		if (pages >= MAX_LIST_PAGES)
			return listFailure(
				context,
				`Kaleyra's list goes on past ${MAX_LIST_PAGES} pages, the most the node follows for one item: none is output`,
				TOO_LONG_HINT,
				attempts,
			);
		cursors.add(cursor);
		const nextSent = await walk.send(walk.next(cursor));
		if (!nextSent)
			return { result: failureResult(context, stoppedBeforeSendingFailure(), attempts), attempts };
		sent = nextSent;
	}
	return { result: { ok: true, items: items.map((item) => ({ ...item, attempts })) }, attempts };
}
