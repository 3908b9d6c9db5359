/**
 * An Add Number that Kaleyra answers "phone number already exists": the number was added
 * before (a lost answer, a retry, a second run), so its phone number ID is looked up in the
 * WABA's list, with reads only, instead of being lost.
 */
import type { IDataObject } from 'n8n-workflow';

import type { KaleyraOperation } from '../actions/operation';
import type { ItemContext, ItemFailure, ItemResult } from '../results/itemResults';
import { numberEntriesIn } from '../results/kaleyraData';
import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';
import type { Delivery } from '../transport/kaleyraRequest';
import type { Send, Sent } from './listPages';
import { walkPages } from './listPages';

export interface Recovery {
	context: ItemContext;
	existing: NonNullable<KaleyraOperation['existing']>;
	values: Record<string, unknown>;
	/** Sends a look-up request with its retries. */
	send: Send;
	/** The add's own last delivery, and its Error item. */
	added: Sent;
	failed: { failure: ItemFailure; json: IDataObject };
	/** The item's result from a delivery, with `successItems` making the Success items. */
	resultOf(
		delivery: Delivery,
		attempts: number,
		successItems: (envelope: KaleyraEnvelope) => IDataObject[],
	): ItemResult;
}

export async function recoverExisting(recovery: Recovery): Promise<ItemResult | undefined> {
	const { context, existing, values, added, failed } = recovery;
	const envelope = added.delivery.kind === 'answer' ? added.delivery.envelope : undefined;
	if (!envelope || !existing.isAlreadyThere(envelope)) return undefined;
	const first = await recovery.send(existing.list(values));
	if (!first) return undefined;
	const looked = await walkPages({
		context,
		send: recovery.send,
		first,
		next: (cursor) => existing.list(values, cursor),
		wanted: 1,
		pageResult: (delivery, attempts) =>
			recovery.resultOf(delivery, attempts, ({ data }) => {
				const found = existing.find(numberEntriesIn(data) ?? [], values);
				return found ? [{ phoneNumberId: found.phoneNumberId, data: found.entry }] : [];
			}),
	});
	const attempts = added.attempts + looked.attempts;
	const wabaId = String(context.wabaId);
	const { result } = looked;
	if (!result.ok) {
		return withError(failed, attempts, {
			hint: `${failed.failure.hint} Looking the number up in the list of WABA ${wabaId} failed too (${result.failure.code}): run Get Many Numbers on it to find the number's phone number ID.`,
		});
	}
	const [found] = result.items;
	if (!found) {
		return withError(failed, attempts, {
			message: `${failed.failure.message}: the number is on the Kaleyra account already, but not among the numbers of WABA ${wabaId}`,
			hint: 'The number belongs to another WABA, or to another Kaleyra account. Find the WABA that holds it (Get Many Numbers on each WABA of the account) and use its ID, or ask Kaleyra to release the number.',
			fields: ['phoneNumber', 'wabaId'],
		});
	}
	return {
		ok: true,
		items: [
			{
				success: true,
				...context,
				code: envelope.code,
				message: envelope.message,
				phoneNumberId: found.phoneNumberId,
				alreadyExisted: true,
				data: found.data,
				attempts,
			},
		],
	};
}

function withError(
	failed: Recovery['failed'],
	attempts: number,
	change: Partial<Pick<ItemFailure, 'message' | 'hint' | 'fields'>>,
): ItemResult {
	const failure = { ...failed.failure, ...change };
	return { ok: false, failure, json: { ...failed.json, error: failure, attempts } };
}
