/** One item's way through the node: read and check its values, call Kaleyra (again if safe), map the answer. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { KaleyraOperation } from '../actions/operation';
import { secretRedactor } from '../helpers/redactSecrets';
import { logRequestLeaving } from '../helpers/requestLog';
import type { ItemResult } from '../results/itemResults';
import {
	failureResult,
	invalidInputFailure,
	nodeFaultFailure,
	resultOfDelivery,
	stoppedBeforeSendingFailure,
} from '../results/itemResults';
import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';
import type { Delivery, KaleyraAccount, KaleyraRequest } from '../transport/kaleyraRequest';
import { sendKaleyraCall } from '../transport/kaleyraRequest';
import type { Sent } from './listPages';
import { walkPages } from './listPages';
import { readItemSettings } from './options';
import { prepareItem } from './prepareItem';
import { recoverExisting } from './recoverExisting';
import { retryVerdict } from './retryPolicy';
import type { Pacer } from './scheduler';
import { pause } from './scheduler';

/** What all items of one node run share. */
export interface RunContext {
	operation: KaleyraOperation;
	account: KaleyraAccount;
	pacer: Pacer;
	/** The execution's cancel signal: the user pressed Stop. */
	stop?: AbortSignal;
}

export async function runItem(
	this: IExecuteFunctions,
	run: RunContext,
	itemIndex: number,
): Promise<ItemResult> {
	const { operation } = run;
	const prepared = prepareItem(this, operation, itemIndex);
	const { settings, problems: optionProblems } = readItemSettings(this, itemIndex);
	if (!prepared.request || !settings) {
		const problems = [...prepared.problems, ...optionProblems];
		return failureResult(prepared.context, invalidInputFailure(problems), 0);
	}
	const retry = { ...settings.retry, safeToRepeat: operation.safeToRepeat };
	const redact = secretRedactor({
		apiKey: String(run.account.credential.credentialsDecrypted?.data?.apiKey ?? ''),
		otp: prepared.secret,
	});
	/** One request with its retries: its last delivery, or undefined when Stop came first. */
	const send = async (request: KaleyraRequest, context = prepared.context): Promise<Sent | undefined> => {
		const call = { ...request, timeoutMs: settings.timeoutMs };
		let last: Sent | undefined;
		for (let attempt = 1; ; attempt++) {
			await run.pacer.wait(run.stop);
			// After a Stop no request leaves; an item stopped during a retry wait keeps what it got.
			if (run.stop?.aborted) break;
			logRequestLeaving(this, context, itemIndex, attempt);
			const delivery = await sendKaleyraCall.call(this, run.account, call, run.stop);
			last = { delivery, attempts: attempt };
			const verdict = retryVerdict(delivery, attempt, retry);
			if (!verdict.retry || run.stop?.aborted) break;
			await pause(verdict.delayMs, run.stop);
		}
		return last;
	};
	const rules = {
		...settings,
		safeToRepeat: operation.safeToRepeat,
		alreadyApprovedIsDone: operation.alreadyApprovedIsDone,
	};
	const resultOf = (
		delivery: Delivery,
		attempts: number,
		successItems: (envelope: KaleyraEnvelope) => IDataObject[],
	): ItemResult => {
		// What the server said that an item may quote: the body, and where a redirect pointed.
		const serverText =
			delivery.kind === 'answer'
				? `${delivery.answer.body} ${String(delivery.answer.headers.location ?? '')}`
				: '';
		return redact(
			resultOfDelivery(prepared.context, delivery, { ...rules, successItems }, attempts),
			serverText,
		);
	};

	const first = await send(prepared.request);
	if (!first) return failureResult(prepared.context, stoppedBeforeSendingFailure(), 0);
	const values = prepared.values ?? {};
	const { pages, existing } = operation;
	if (pages) {
		const walked = await walkPages({
			context: prepared.context,
			send,
			first,
			next: (cursor) => pages.after(values, cursor),
			wanted: pages.wanted(values),
			pageResult: (delivery, attempts, room) =>
				resultOf(delivery, attempts, (envelope) => operation.successItems(envelope, room)),
		});
		return walked.result;
	}
	const result = resultOf(first.delivery, first.attempts, (envelope) =>
		operation.successItems(envelope, 1),
	);
	if (result.ok || !existing || !settings.recoverExistingNumber) return result;
	const recovered = await recoverExisting({
		context: prepared.context,
		existing,
		values,
		// The log tells a look-up from the add it follows.
		send: (request) =>
			send(request, { ...prepared.context, operation: `${operation.option.value} look-up` }),
		added: first,
		failed: result,
		resultOf,
	});
	return recovered ?? result;
}

/** A failure of the node's own code still leaves the item on the Error output, never lost. */
export function unexpectedFailure(
	fns: IExecuteFunctions,
	operation: KaleyraOperation,
	itemIndex: number,
	error: unknown,
): ItemResult {
	const wrapped = new NodeOperationError(fns.getNode(), error as Error, { itemIndex });
	return failureResult(
		{ operation: operation.option.value },
		nodeFaultFailure(wrapped.message),
		0,
	);
}
