/** The trigger's Options: how fast and how patiently one poll reads Kaleyra. */
import type { INodeProperties, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	LONGEST_TIMER_MS,
	concurrencyOption,
	requestsPerSecondOption,
	timeoutOption,
	toPace,
	triesOption,
} from '../KaleyraWhatsAppNumber/engine/requestOptions';

export interface PollSettings {
	concurrency: number;
	requestsPerSecond: number;
	timeoutMs: number;
	maxTries: number;
}

export const pollOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		concurrencyOption(
			16,
			'How many Get Number Details requests may be in flight at once. Raise it for a WABA with hundreds of numbers, so each poll ends well within the poll interval.',
		),
		requestsPerSecondOption(
			'Paces the requests of one poll, retries included, to at most this many per second (from 0.01). 0 means no pacing.',
		),
		{
			displayName: 'Only These Numbers',
			name: 'phoneNumbers',
			type: 'string',
			default: '',
			placeholder: 'e.g. +919765400001, +919765400002',
			description:
				'Watch only these numbers of the WABA, in E.164, separated by commas: only theirs are read with Get Number Details and reported. Empty: every number. A new list starts a new baseline.',
		},
		timeoutOption,
		triesOption(
			'How many times in all one read may be sent when Kaleyra cannot be reached, is busy (HTTP 429, 503, "Please try again later") or its answer is lost. Reads change nothing at Kaleyra, so they are safe to repeat. 1 turns retries off.',
		),
	],
};

const DEFINITIONS = (pollOptionsField.options as INodeProperties[])
	.filter(({ type }) => type === 'number')
	.map(({ name, displayName, default: fallback, typeOptions }) => ({
		name,
		displayName,
		fallback: fallback as number,
		min: typeOptions?.minValue ?? 0,
		max: typeOptions?.maxValue ?? LONGEST_TIMER_MS,
	}));

/** The Options, each brought within its range; a value that is not a number is refused. */
export function readPollSettings(fns: IPollFunctions): PollSettings {
	const options = fns.getNodeParameter('options', {}) as Record<string, unknown>;
	const values: Record<string, number> = {};
	for (const { name, displayName, fallback, min, max } of DEFINITIONS) {
		const value = options[name] ?? fallback;
		if (typeof value !== 'number' || Number.isNaN(value))
			throw new NodeOperationError(fns.getNode(), `Options › ${displayName} is not a number`, {
				description: `Set it to a number from ${min} to ${max}, or remove the option to use ${fallback}.`,
			});
		values[name] = Math.min(max, Math.max(min, value));
	}
	return {
		concurrency: Math.floor(values.concurrency),
		requestsPerSecond: toPace(values.requestsPerSecond),
		timeoutMs: values.timeout,
		maxTries: Math.floor(values.maxTries),
	};
}
