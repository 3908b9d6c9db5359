/** One item's way through the node: read and check its values, call Kaleyra (again if safe), map the answer. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { KaleyraOperation } from '../actions/operation';
import { secretRedactor } from '../helpers/redactSecrets';
import type { ItemResult } from '../results/itemResults';
import {
	failureResult,
	invalidInputFailure,
	nodeFaultFailure,
	resultOfDelivery,
	stoppedBeforeSendingFailure,
} from '../results/itemResults';
import type { KaleyraAccount, KaleyraRequest } from '../transport/kaleyraRequest';
import type { FormLesson } from './formLesson';
import { sendInLearnedForm } from './formLesson';
import { readItemSettings } from './options';
import { prepareItem } from './prepareItem';
import type { Pacer } from './scheduler';
import { sendWithRetries } from './sendWithRetries';
import { withModelKeys } from './toolArguments';

/** What all items of one node run share. */
export interface RunContext {
	operation: KaleyraOperation;
	account: KaleyraAccount;
	pacer: Pacer;
	/** The execution's cancel signal: the user pressed Stop. */
	stop?: AbortSignal;
	/** Which form of a request Kaleyra takes, as this run learned it. */
	formLesson: FormLesson;
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
	const item = { context: prepared.context, itemIndex };
	const send = async (request: KaleyraRequest) =>
		await sendWithRetries(this, run, item, { ...request, timeoutMs: settings.timeoutMs }, retry);
	const { forms } = operation;
	const requestIn = prepared.requestIn;
	const { sent: last, form } =
		forms && requestIn
			? await sendInLearnedForm(run.formLesson, forms, async (name) => await send(requestIn(name)))
			: { sent: await send(prepared.request), form: undefined };
	if (!last) return failureResult(prepared.context, stoppedBeforeSendingFailure(), 0);
	const rules = {
		...settings,
		safeToRepeat: operation.safeToRepeat,
		alreadyApprovedIsDone: operation.alreadyApprovedIsDone,
		successItems: operation.successItems,
		fieldNames: Object.keys(operation.fields),
	};
	const { delivery } = last;
	// What the server said that an item may quote: the body, and where a redirect pointed.
	const serverText =
		delivery.kind === 'answer'
			? `${delivery.answer.body} ${String(delivery.answer.headers.location ?? '')}`
			: '';
	const result = withModelKeys(
		resultOfDelivery(prepared.context, delivery, rules, last.attempt),
		prepared.modelKeys,
	);
	if (form !== undefined && result.ok)
		result.items = result.items.map((json) => ({ ...json, pathForm: form }));
	return redact(result, serverText);
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
