/** Reads and checks one item's parameters for an operation: the request, or every problem. */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FieldProblem } from '../helpers/validation';
import { InvalidFieldError, checkFields } from '../helpers/validation';
import type { KaleyraOperation } from '../actions/operation';
import { contextOf, fieldsOf } from '../actions/operation';
import type { ItemContext } from '../results/itemResults';
import type { KaleyraRequest } from '../transport/kaleyraRequest';
import {
	inModelWords,
	missingArgument,
	runModelKeys,
	strayArguments,
	swappedNumberAndId,
} from './toolArguments';

/** A request ready to send, or the problems that stop it; the context goes on the output item either way. */
export interface PreparedItem {
	context: ItemContext;
	request?: KaleyraRequest;
	/** The same request in another of the operation's forms. */
	requestIn?: (form: string) => KaleyraRequest;
	/** The OTP the request carries, kept out of every output. */
	secret?: string;
	/** The checked values, for the requests that may follow the first (pages, a look-up). */
	values?: Record<string, unknown>;
	problems: FieldProblem[];
	/** The model's key of each field it fills, when the node runs as an AI Agent's tool. */
	modelKeys: Record<string, string>;
}

export function prepareItem(
	fns: IExecuteFunctions,
	operation: KaleyraOperation,
	itemIndex: number,
): PreparedItem {
	const modelKeys = runModelKeys(fns, operation);
	const raw: Record<string, unknown> = {};
	// Reading a parameter inside its check: an expression that throws is that field's problem.
	// Each is read and reported by the name the panel gives it.
	const checked = checkFields(
		Object.fromEntries(
			fieldsOf(operation).map(({ check, property }) => [
				property.name,
				() => {
					const { name } = property;
					raw[name] = fns.getNodeParameter(name, itemIndex, '');
					if (raw[name] === undefined && modelKeys[name] && shownBy(property, raw))
						throw new InvalidFieldError(missingArgument(name, modelKeys[name]));
					return check(raw[name], name);
				},
			]),
		),
	);
	const context = { operation: operation.option.value, ...contextOf(operation, checked.values) };
	const problems = [
		...checked.problems,
		...strayArguments(fns.getInputData()[itemIndex]?.json ?? {}, operation, modelKeys),
	];
	if (problems.length > 0)
		return {
			context,
			problems: swappedNumberAndId(inModelWords(problems, modelKeys), raw, modelKeys),
			modelKeys,
		};
	try {
		return {
			context,
			request: operation.request(checked.values),
			requestIn: (form) => operation.request(checked.values, form),
			secret: operation.secret?.(checked.values),
			values: checked.values,
			problems: [],
			modelKeys,
		};
	} catch (error) {
		// A check across fields (a calling code that does not start the number).
		if (error instanceof InvalidFieldError)
			return { context, problems: inModelWords([error.problem], modelKeys), modelKeys };
		throw new NodeOperationError(fns.getNode(), error as Error, { itemIndex });
	}
}

/**
 * Whether a field is asked for, by the values of the fields before it: Limit is not, while the
 * model turned Return All on, so leaving it out is no mistake.
 */
function shownBy(property: INodeProperties, raw: Record<string, unknown>): boolean {
	return Object.entries(property.displayOptions?.show ?? {}).every(
		([field, allowed]) => !(field in raw) || (allowed ?? []).includes(raw[field] as never),
	);
}
