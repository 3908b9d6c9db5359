/** The trigger's Options: how fast and how patiently one poll reads Kaleyra. */
import type { INodeProperties, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export interface PollSettings {
	concurrency: number;
	requestsPerSecond: number;
	timeoutMs: number;
	maxTries: number;
}

// Node's timers take at most 2^31 - 1 ms.
const LONGEST_TIMER_MS = 2_147_483_647;

export const pollOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 16 },
			default: 1,
			description:
				'How many Get Number Details requests may be in flight at once. Raise it for a WABA with hundreds of numbers, so each poll ends well within the poll interval.',
		},
		{
			displayName: 'Max Requests per Second',
			name: 'requestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 1000 },
			default: 0,
			description:
				'Paces the requests of one poll, retries included, to at most this many per second (from 0.01). 0 means no pacing.',
		},
		{
			displayName: 'Only These Numbers',
			name: 'phoneNumbers',
			type: 'string',
			default: '',
			placeholder: 'e.g. +919765400001, +919765400002',
			description:
				'Watch only these numbers of the WABA, in E.164, separated by commas: only theirs are read with Get Number Details and reported. Empty: every number. A new list starts a new baseline.',
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: LONGEST_TIMER_MS },
			default: 30000,
			description: 'How long to wait for Kaleyra to answer one request, in milliseconds',
		},
		{
			displayName: 'Tries',
			name: 'maxTries',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 3,
			description:
				'How many times in all one read may be sent when Kaleyra cannot be reached, is busy (HTTP 429, 503, "Please try again later") or its answer is lost. Reads change nothing at Kaleyra, so they are safe to repeat. 1 turns retries off.',
		},
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
		// The pacer spaces requests with timers: slower than one per 100 s would overflow them.
		requestsPerSecond:
			values.requestsPerSecond === 0 ? 0 : Math.max(0.01, values.requestsPerSecond),
		timeoutMs: values.timeout,
		maxTries: Math.floor(values.maxTries),
	};
}
