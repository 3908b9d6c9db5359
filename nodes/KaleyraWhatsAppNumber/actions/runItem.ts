/** One item's way through the node: read and check its values, call Kaleyra (again if safe), map the answer. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { AnswerOptions, ItemResult } from '../helpers/answers';
import {
	OWN_ERROR_CODES,
	failureResult,
	invalidInputFailure,
	resultOfDelivery,
} from '../helpers/answers';
import type { RetrySettings } from '../helpers/retryPolicy';
import { retryVerdict } from '../helpers/retryPolicy';
import type { Pacer } from '../helpers/scheduler';
import type { KaleyraAccount } from '../transport/kaleyraRequest';
import { sendKaleyraCall } from '../transport/kaleyraRequest';
import { checkFields } from '../helpers/validation';
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
}

export async function runItem(
	this: IExecuteFunctions,
	run: RunContext,
	itemIndex: number,
): Promise<ItemResult> {
	const prepared = PREPARE[run.operation](this, itemIndex);
	const options = checkFields({ options: () => readItemSettings(this, itemIndex) });
	const settings = options.values.options;
	const problems = [...prepared.problems, ...options.problems];
	if (!prepared.request || problems.length > 0) {
		return failureResult(prepared.context, invalidInputFailure(problems), 0);
	}
	const call = { ...prepared.request, timeoutMs: settings.timeoutMs };
	for (let attempt = 1; ; attempt++) {
		await run.pacer.wait();
		const delivery = await sendKaleyraCall.call(this, run.account, call);
		const verdict = retryVerdict(delivery, attempt, settings.retry);
		if (!verdict.retry) return resultOfDelivery(prepared.context, delivery, settings, attempt);
		await sleep(verdict.delayMs);
	}
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
