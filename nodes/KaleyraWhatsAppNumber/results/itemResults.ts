/**
 * The shapes of one input item's outcome, Success items or an Error item, and how each is built;
 * the Error items of the node's own failures (bad input, a Stop before sending, a fault) too.
 * deliveryResult.ts fills them from what came back.
 */
import type { IDataObject } from 'n8n-workflow';

import type { FieldProblem } from '../helpers/validation';
import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';
import { OWN_ERROR_CODES, OWN_HINTS } from './errorCatalogue';

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
	// `error` second: the editor's Table view shows columns in key order, and the reason an item
	// failed is what its reader came for, not the fields the item repeats.
	return { ok: false, failure, json: { success: false, error: failure, ...context, attempts } };
}

export function invalidInputFailure(problems: FieldProblem[]): ItemFailure {
	const named = ({ field, argument }: FieldProblem) => {
		if (argument === undefined) return field;
		return field ? `${field} (tool argument "${argument}")` : `Tool argument "${argument}"`;
	};
	const toolArguments = [...new Set(problems.flatMap((p) => (p.argument ? [p.argument] : [])))];
	return {
		code: OWN_ERROR_CODES.invalidInput,
		message: problems.map((p) => `${named(p)} ${p.rule}`).join('; '),
		httpStatus: null,
		fields: problems.flatMap((p) => (p.field ? [p.field] : [])),
		...(toolArguments.length > 0 && { arguments: toolArguments }),
		// Two fields can share one hint (a swap): said once.
		hint: [...new Set(problems.map((p) => p.hint))].join(' '),
		retryable: false,
	};
}

/** An item the user's Stop reached before its request left. */
export function stoppedBeforeSendingFailure(): ItemFailure {
	return {
		code: OWN_ERROR_CODES.cancelled,
		message: 'The execution was stopped before this request was sent',
		httpStatus: null,
		fields: [],
		hint: OWN_HINTS.stoppedBeforeSending,
		retryable: true,
	};
}

/** A failure of the node's own code still leaves the item on the Error output, never lost. */
export function nodeFaultFailure(message: string): ItemFailure {
	return {
		code: OWN_ERROR_CODES.unexpected,
		message,
		httpStatus: null,
		fields: [],
		hint: OWN_HINTS.nodeFault,
		retryable: false,
	};
}
