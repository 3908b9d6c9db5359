/** Reads and checks one item's parameters for an operation: the request, or every problem. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FieldProblem } from '../helpers/validation';
import { InvalidFieldError, checkFields } from '../helpers/validation';
import type { FieldSpec, KaleyraOperation } from '../actions/operation';
import type { ItemContext } from '../results/itemResults';
import type { KaleyraRequest } from '../transport/kaleyraRequest';

/** A request ready to send, or the problems that stop it; the context goes on the output item either way. */
export interface PreparedItem {
	context: ItemContext;
	request?: KaleyraRequest;
	/** The OTP the request carries, kept out of every output. */
	secret?: string;
	/** The checked values, for the requests that may follow the first (pages, a look-up). */
	values?: Record<string, unknown>;
	problems: FieldProblem[];
}

export function prepareItem(
	fns: IExecuteFunctions,
	operation: KaleyraOperation,
	itemIndex: number,
): PreparedItem {
	const fields = operation.fields as Record<string, FieldSpec<unknown>>;
	// Reading a parameter inside its check: an expression that throws is that field's problem.
	const checked = checkFields(
		Object.fromEntries(
			Object.entries(fields).map(([name, { check }]) => [
				name,
				() => check(fns.getNodeParameter(name, itemIndex, '')),
			]),
		),
	);
	const context = { operation: operation.option.value, ...operation.context(checked.values) };
	if (checked.problems.length > 0) return { context, problems: checked.problems };
	try {
		return {
			context,
			request: operation.request(checked.values),
			secret: operation.secret?.(checked.values),
			values: checked.values,
			problems: [],
		};
	} catch (error) {
		// A check across fields (a calling code that does not start the number).
		if (error instanceof InvalidFieldError) return { context, problems: [error.problem] };
		throw new NodeOperationError(fns.getNode(), error as Error, { itemIndex });
	}
}
