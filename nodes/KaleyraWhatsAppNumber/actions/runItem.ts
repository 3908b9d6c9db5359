/** One item's way through the node: read and check its values, call Kaleyra, map the answer. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AnswerOptions, ItemResult } from '../helpers/answers';
import {
	OWN_ERROR_CODES,
	failureResult,
	invalidInputFailure,
	networkFailure,
	resultOfAnswer,
	timeoutFailure,
} from '../helpers/answers';
import type { KaleyraAccount } from '../transport/kaleyraRequest';
import { sendKaleyraCall } from '../transport/kaleyraRequest';
import type { PreparedItem } from './common';
import { prepareRetryOtp } from './retryOtp.operation';
import { prepareVerifyNumber } from './verifyNumber.operation';

export type Operation = 'verifyNumber' | 'retryOtp';

const PREPARE: Record<Operation, (fns: IExecuteFunctions, itemIndex: number) => PreparedItem> = {
	verifyNumber: prepareVerifyNumber,
	retryOtp: prepareRetryOtp,
};

export interface ItemSettings extends AnswerOptions {
	timeoutMs: number;
}

export async function runItem(
	this: IExecuteFunctions,
	operation: Operation,
	account: KaleyraAccount,
	itemIndex: number,
	settings: ItemSettings,
): Promise<ItemResult> {
	const prepared = PREPARE[operation](this, itemIndex);
	if (!prepared.request) {
		return failureResult(prepared.context, invalidInputFailure(prepared.problems), 0);
	}
	const delivery = await sendKaleyraCall.call(this, account, {
		...prepared.request,
		timeoutMs: settings.timeoutMs,
	});
	switch (delivery.kind) {
		case 'answer':
			return resultOfAnswer(prepared.context, delivery.answer, settings, 1);
		case 'unreachable':
			return failureResult(prepared.context, networkFailure(delivery.cause), 1);
		case 'interrupted':
			return failureResult(
				prepared.context,
				delivery.timedOut ? timeoutFailure(settings.timeoutMs) : networkFailure(delivery.cause),
				1,
			);
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
