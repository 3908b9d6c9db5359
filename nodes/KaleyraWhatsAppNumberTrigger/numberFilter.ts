/** Options › Only These Numbers: the numbers of the WABA the trigger watches, or all of them. */
import type { IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidFieldError, toE164 } from '../KaleyraWhatsAppNumber/helpers/validation';

const WHERE = 'Options › Only These Numbers';

/** The watched numbers in E.164, sorted and each once; null when every number is watched. */
export function readNumberFilter(fns: IPollFunctions): string[] | null {
	const options = fns.getNodeParameter('options', {}) as Record<string, unknown>;
	const raw = options.phoneNumbers ?? '';
	if (typeof raw !== 'string')
		throw new NodeOperationError(fns.getNode(), `${WHERE} is not text`, {
			description:
				'Give the numbers in E.164, separated by commas, or leave it empty to watch every number.',
		});
	const parts = raw
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
	if (parts.length === 0) return null;
	const numbers = parts.map((part, index) => {
		try {
			return toE164('phoneNumbers', part);
		} catch (error) {
			if (!(error instanceof InvalidFieldError))
				throw new NodeOperationError(fns.getNode(), error as Error);
			throw new NodeOperationError(
				fns.getNode(),
				`${WHERE}: number ${index + 1} ${error.problem.rule}`,
				{ description: error.problem.hint },
			);
		}
	});
	return [...new Set(numbers)].sort();
}
