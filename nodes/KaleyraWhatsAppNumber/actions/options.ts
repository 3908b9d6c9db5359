/** The node's Options: pacing and retries for bulk runs, and how "already approved" is treated. */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidFieldError, describeValue } from '../helpers/validation';
import type { ItemSettings } from './runItem';

interface Options {
	concurrency: number;
	requestsPerSecond: number;
	timeout: number;
	maxTries: number;
	retryUncertain: boolean;
	retryDelay: number;
	maxRetryDelay: number;
	treatAlreadyApprovedAsSuccess: boolean;
}

export const optionsField: INodeProperties = {
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
			typeOptions: { minValue: 1, maxValue: 64 },
			default: 1,
			description:
				'How many requests may be in flight at once. Output order and item pairing stay the same whatever the value.',
		},
		{
			displayName: 'Max Requests per Second',
			name: 'requestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description:
				'Paces the requests of the whole run, retries included, to at most this many per second. 0 means no pacing.',
		},
		{
			displayName: 'Max Retry Wait (Ms)',
			name: 'maxRetryDelay',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 30000,
			description:
				'Longest wait before a retry. When Kaleyra asks (Retry-After) for a longer one, the item goes to Error instead.',
		},
		{
			displayName: 'Retry Wait (Ms)',
			name: 'retryDelay',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1000,
			description:
				'Base wait before a retry; it doubles with each try, with random jitter, and is never shorter than a Retry-After header asks',
		},
		{
			displayName: 'Retry When Delivery Is Uncertain',
			name: 'retryUncertain',
			type: 'boolean',
			default: false,
			description:
				"Whether to also retry requests that may have reached Kaleyra: a connection reset, a timeout or a gateway error. Warning: a repeated Verify Number may use up one of the OTP's tries, and a repeated Retry OTP may send the number another SMS or call.",
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30000,
			description: 'How long to wait for Kaleyra to answer one request, in milliseconds',
		},
		{
			displayName: 'Treat Already Approved as Success',
			name: 'treatAlreadyApprovedAsSuccess',
			type: 'boolean',
			default: true,
			description:
				'Whether a number Kaleyra reports as "already approved" goes to the Success output, marked alreadyApproved: true. The number is verified either way; turn off to send such items to Error.',
		},
		{
			displayName: 'Tries',
			name: 'maxTries',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 3,
			description:
				'How many times in all a request may be sent. Only requests that cannot have reached Kaleyra (connection refused, DNS failure) or that Kaleyra asked to repeat (HTTP 429, 503, WA500 "Please try again later") are retried, unless Retry When Delivery Is Uncertain is on. 1 turns retries off.',
		},
	],
};

// The defaults shown in the UI are the ones applied.
const DEFAULTS = Object.fromEntries(
	(optionsField.options as INodeProperties[]).map(({ name, default: value }) => [name, value]),
) as unknown as Options;

function readOptions(fns: IExecuteFunctions, itemIndex: number): Options {
	return { ...DEFAULTS, ...(fns.getNodeParameter('options', itemIndex, {}) as Partial<Options>) };
}

// Node's timers take at most 2^31 - 1 ms; a longer one fires after 1 ms instead.
const LONGEST_TIMER_MS = 2_147_483_647;

const LIMITS: Record<NumberOption, { label: string; min: number; max: number }> = {
	concurrency: { label: 'Concurrency', min: 1, max: 64 },
	requestsPerSecond: { label: 'Max Requests per Second', min: 0, max: Number.MAX_VALUE },
	timeout: { label: 'Timeout (Ms)', min: 1, max: LONGEST_TIMER_MS },
	maxTries: { label: 'Tries', min: 1, max: 10 },
	retryDelay: { label: 'Retry Wait (Ms)', min: 0, max: LONGEST_TIMER_MS },
	maxRetryDelay: { label: 'Max Retry Wait (Ms)', min: 0, max: LONGEST_TIMER_MS },
};
type NumberOption =
	| 'concurrency'
	| 'requestsPerSecond'
	| 'timeout'
	| 'maxTries'
	| 'retryDelay'
	| 'maxRetryDelay';

/**
 * An option set by expression can be anything; a number outside the UI's range is brought
 * back into it, anything else is refused (NaN would stop the workers or the retry limit).
 */
function numberOption(options: Options, name: NumberOption): number {
	const value: unknown = options[name];
	const { label, min, max } = LIMITS[name];
	if (typeof value !== 'number' || Number.isNaN(value)) {
		throw new InvalidFieldError({
			field: `options.${name}`,
			rule: `must be a number, got ${describeValue(value)}`,
			hint: `Set Options › ${label} to a number${max < Number.MAX_VALUE ? ` from ${min} to ${max}` : ''}, or remove it to use ${String(DEFAULTS[name])}.`,
		});
	}
	return Math.min(max, Math.max(min, value));
}

function booleanOption(
	options: Options,
	name: 'retryUncertain' | 'treatAlreadyApprovedAsSuccess',
	label: string,
): boolean {
	const value: unknown = options[name];
	if (typeof value !== 'boolean') {
		throw new InvalidFieldError({
			field: `options.${name}`,
			rule: `must be true or false, got ${describeValue(value)}`,
			hint: `Set Options › ${label} with the switch, or an expression giving true or false.`,
		});
	}
	return value;
}

/** Settings that hold for the whole run, read from the first item. */
export function readRunSettings(fns: IExecuteFunctions) {
	try {
		const options = readOptions(fns, 0);
		return {
			concurrency: Math.floor(numberOption(options, 'concurrency')),
			requestsPerSecond: numberOption(options, 'requestsPerSecond'),
		};
	} catch (error) {
		if (!(error instanceof InvalidFieldError))
			throw new NodeOperationError(fns.getNode(), error as Error);
		const { field, rule, hint } = error.problem;
		throw new NodeOperationError(fns.getNode(), `${field} ${rule}`, { description: hint });
	}
}

/** Throws InvalidFieldError naming the option at fault. */
export function readItemSettings(fns: IExecuteFunctions, itemIndex: number): ItemSettings {
	const options = readOptions(fns, itemIndex);
	return {
		timeoutMs: numberOption(options, 'timeout'),
		treatAlreadyApprovedAsSuccess: booleanOption(
			options,
			'treatAlreadyApprovedAsSuccess',
			'Treat Already Approved as Success',
		),
		retry: {
			maxTries: Math.floor(numberOption(options, 'maxTries')),
			retryUncertain: booleanOption(options, 'retryUncertain', 'Retry When Delivery Is Uncertain'),
			baseDelayMs: numberOption(options, 'retryDelay'),
			maxDelayMs: numberOption(options, 'maxRetryDelay'),
		},
	};
}
