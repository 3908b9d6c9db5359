/** One item's way through the node: read and check its values, call Kaleyra (again if safe), map the answer. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { KaleyraOperation } from '../actions/operation';
import { PARAMETERS } from '../actions/registry';
import { secretRedactor } from '../helpers/redactSecrets';
import type { LoggedField } from '../helpers/requestLog';
import { logRequestLeaving } from '../helpers/requestLog';
import { resultOfDelivery } from '../results/deliveryResult';
import type { ItemResult } from '../results/itemResults';
import {
	failureResult,
	invalidInputFailure,
	nodeFaultFailure,
	stoppedBeforeSendingFailure,
} from '../results/itemResults';
import { inPlainWords } from '../results/successWords';
import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';
import type { Delivery, KaleyraAccount, KaleyraRequest } from '../transport/kaleyraRequest';
import type { FormLesson } from './formLesson';
import { sendInLearnedForm } from './formLesson';
import { walkPages } from './listPages';
import { readItemSettings } from './options';
import { prepareItem } from './prepareItem';
import { recoverExisting } from './recoverExisting';
import type { Pacer } from './scheduler';
import type { Sent } from './sendWithRetries';
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
	/** The operation's fields the request log names, worked out once per run, not per item. */
	logged: readonly LoggedField[];
	/** The operation's parameter names, by the panel. */
	fieldNames: readonly string[];
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
	const { logged, fieldNames } = run;
	const redactor = secretRedactor({
		apiKey: String(run.account.credential.credentialsDecrypted?.data?.apiKey ?? ''),
		otp: prepared.secret,
	});
	/**
	 * Every request of the item (the first, a details form's second try, a list's next pages, an
	 * add's look-ups) leaves here: paced, logged, retried by one policy, and heard by the redactor.
	 * `read` marks the look-ups: they change nothing at Kaleyra, so they are retried as reads.
	 */
	const send = async (
		request: KaleyraRequest,
		{ context = prepared.context, read = false } = {},
	): Promise<Sent | undefined> => {
		const call = { ...request, timeoutMs: settings.timeoutMs };
		const tries = { ...settings.retry, safeToRepeat: read || operation.safeToRepeat };
		const logLeaving = (attempt: number) =>
			logRequestLeaving(this, context, logged, itemIndex, attempt);
		const sent = await sendWithRetries(this, run, logLeaving, call, tries);
		if (sent) redactor.heard(serverTextOf(sent.delivery));
		return sent;
	};
	const rules = {
		...settings,
		operation,
		parameters: PARAMETERS,
		fieldNames,
	};
	const resultOf = (
		delivery: Delivery,
		attempts: number,
		successItems: (envelope: KaleyraEnvelope) => IDataObject[],
	): ItemResult =>
		resultOfDelivery(prepared.context, delivery, { ...rules, successItems }, attempts);

	const { forms } = operation;
	const requestIn = prepared.requestIn;
	const { sent: first, form } =
		forms && requestIn
			? await sendInLearnedForm(run.formLesson, forms, async (name) => await send(requestIn(name)))
			: { sent: await send(prepared.request), form: undefined };
	if (!first) return failureResult(prepared.context, stoppedBeforeSendingFailure(), 0);
	const values = prepared.values ?? {};
	const { pages, existing } = operation;
	let result: ItemResult;
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
		result = walked.result;
	} else {
		result = resultOf(first.delivery, first.attempts, (envelope) =>
			operation.successItems(envelope, 1),
		);
		if (!result.ok && existing && settings.recoverExistingNumber) {
			const recovered = await recoverExisting({
				context: prepared.context,
				existing,
				values,
				// The log tells a look-up from the add it follows.
				send: async (request) =>
					await send(request, {
						context: { ...prepared.context, operation: `${operation.option.value} look-up` },
						read: true,
					}),
				added: first,
				failed: result,
				resultOf,
			});
			result = recovered ?? result;
		}
	}
	if (form !== undefined && result.ok)
		result.items = result.items.map((json) => ({ ...json, pathForm: form }));
	// Every Success item, a page's and a look-up's too, says what happened in one way.
	if (result.ok) result.items = result.items.map((json) => inPlainWords(json, operation.outcome));
	// The one redaction point: every Success item of every page, a look-up's, every Error item.
	return redactor.redact(withModelKeys(result, prepared.modelKeys));
}

/** What the server said that an item may quote: the body, and where a redirect pointed. */
export function serverTextOf(delivery: Delivery): string {
	return delivery.kind === 'answer'
		? `${delivery.answer.body} ${String(delivery.answer.headers.location ?? '')}`
		: '';
}

/** A failure of the node's own code still leaves the item on the Error output, never lost. */
export function unexpectedFailure(
	fns: IExecuteFunctions,
	operation: KaleyraOperation,
	itemIndex: number,
	error: unknown,
): ItemResult {
	const wrapped = new NodeOperationError(fns.getNode(), error as Error, { itemIndex });
	return failureResult({ operation: operation.option.value }, nodeFaultFailure(wrapped.message), 0);
}
