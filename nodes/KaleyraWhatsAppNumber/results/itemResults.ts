/**
 * The shapes of one input item's outcome, Success items or an Error item, and how each is built.
 * What fills them: deliveryResult.ts (from what came back), ownFailures.ts (the node's own).
 */
import type { IDataObject } from 'n8n-workflow';

import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';

/** What the item was about, repeated on both branches so a workflow can act on it. */
export interface ItemContext extends IDataObject {
	operation: string;
}

/** An Error item's words: whether it is retryable is decided apart, once (deliveryResult.ts). */
export interface FailureWords extends IDataObject {
	code: string;
	message: string;
	httpStatus: number | null;
	fields: string[];
	/** The tool arguments at fault, by the model's keys, when the node ran as an agent's tool. */
	arguments?: string[];
	hint: string;
}

export interface ItemFailure extends FailureWords {
	retryable: boolean;
}

/** One input item's outcome: its Success items (a list may make many), or its Error item. */
export type ItemResult =
	| { ok: true; items: IDataObject[] }
	| { ok: false; json: IDataObject; failure: ItemFailure };

export function successResult(
	context: ItemContext,
	envelope: KaleyraEnvelope,
	own: IDataObject[],
	attempts: number,
): ItemResult {
	return {
		ok: true,
		items: own.map((fields) => ({
			success: true,
			...context,
			code: envelope.code,
			message: envelope.message,
			...fields,
			attempts,
		})),
	};
}

export function failureResult(
	context: ItemContext,
	failure: ItemFailure,
	attempts: number,
): ItemResult {
	return { ok: false, failure, json: { success: false, ...context, error: failure, attempts } };
}
