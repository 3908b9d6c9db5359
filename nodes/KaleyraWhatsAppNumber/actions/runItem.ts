/** One item's way through the node: read and check its values, call Kaleyra (again if safe), map the answer. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AnswerOptions, ItemContext, ItemResult } from '../helpers/answers';
import {
	OWN_ERROR_CODES,
	failureResult,
	invalidInputFailure,
	resultOfDelivery,
	stoppedBeforeSendingFailure,
} from '../helpers/answers';
import { secretRedactor } from '../helpers/redactSecrets';
import type { RetrySettings } from '../helpers/retryPolicy';
import { retryVerdict } from '../helpers/retryPolicy';
import type { Pacer } from '../helpers/scheduler';
import { pause } from '../helpers/scheduler';
import type { Delivery, KaleyraAccount } from '../transport/kaleyraRequest';
import { sendKaleyraCall } from '../transport/kaleyraRequest';
import type { PreparedItem } from './common';
import { readItemSettings } from './options';
import { prepareRetryOtp } from './retryOtp.operation';
import { prepareVerifyNumber } from './verifyNumber.operation';

export type Operation = 'verifyNumber' | 'retryOtp';

const PREPARE: Record<Operation, (fns: IExecuteFunctions, itemIndex: number) => PreparedItem> = {
	verifyNumber: prepareVerifyNumber,
	retryOtp: prepareRetryOtp,
};

export interface ItemSettings extends AnswerOptions {
	timeoutMs: number;
	retry: RetrySettings;
}

/** What all items of one node run share. */
export interface RunContext {
	operation: Operation;
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
	const prepared = PREPARE[run.operation](this, itemIndex);
	const { settings, problems: optionProblems } = readItemSettings(this, itemIndex);
	if (!prepared.request || !settings) {
		const problems = [...prepared.problems, ...optionProblems];
		return failureResult(prepared.context, invalidInputFailure(problems), 0);
	}
	const call = { ...prepared.request, timeoutMs: settings.timeoutMs };
	const redact = secretRedactor({
		apiKey: String(run.account.credential.credentialsDecrypted?.data?.apiKey ?? ''),
		otp: call.body.otp,
	});
	let last: { delivery: Delivery; attempt: number } | undefined;
	for (let attempt = 1; ; attempt++) {
		await run.pacer.wait(run.stop);
		// After a Stop no request leaves; an item stopped during a retry wait keeps what it got.
		if (run.stop?.aborted) break;
		const delivery = await sendKaleyraCall.call(this, run.account, call, run.stop);
		last = { delivery, attempt };
		const verdict = retryVerdict(delivery, attempt, settings.retry);
		if (!verdict.retry || run.stop?.aborted) break;
		await pause(verdict.delayMs, run.stop);
	}
	if (!last) return failureResult(prepared.context, stoppedBeforeSendingFailure(), 0);
	const result = resultOfDelivery(prepared.context, last.delivery, settings, last.attempt);
	return redact(result);
}

/** What the item is about (IDs, masked OTP), for an item that fails before its own work starts. */
export function itemContext(
	fns: IExecuteFunctions,
	operation: Operation,
	itemIndex: number,
): ItemContext {
	return PREPARE[operation](fns, itemIndex).context;
}

/** A failure of the node's own code still leaves the item on the Error output, never lost. */
export function unexpectedFailure(
	fns: IExecuteFunctions,
	operation: string,
	itemIndex: number,
	error: unknown,
): ItemResult {
	const wrapped = new NodeOperationError(fns.getNode(), error as Error, { itemIndex });
	return failureResult(
		{ operation },
		{
			code: OWN_ERROR_CODES.unexpected,
			message: wrapped.message,
			httpStatus: null,
			fields: [],
			hint: 'This is a fault in the node, not in your data. Please report it with the workflow that shows it.',
			retryable: false,
		},
		0,
	);
}
