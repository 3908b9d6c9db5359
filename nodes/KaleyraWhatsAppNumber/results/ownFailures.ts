/** The Error items of failures that are the node's own: bad input, a Stop before sending, a fault. */
import type { FieldProblem } from '../helpers/validation';
import { OWN_ERROR_CODES, OWN_HINTS } from './errorCatalogue';
import type { ItemFailure } from './itemResults';

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
