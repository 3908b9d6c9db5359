/** The node's Options: pacing and retries for bulk runs, and how "already approved" is treated. */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { operationsWhere } from '../actions/registry';
import type { FieldProblem } from '../helpers/validation';
import { InvalidFieldError, checkFields, describeValue } from '../helpers/validation';
import {
	LONGEST_TIMER_MS,
	concurrencyOption,
	requestsPerSecondOption,
	timeoutOption,
	toPace,
	triesOption,
} from './requestOptions';
import type { RetrySettings } from './retryPolicy';

/** One item's settings from the node's Options. */
export interface ItemSettings {
	timeoutMs: number;
	treatAlreadyApprovedAsSuccess: boolean;
	recoverExistingNumber: boolean;
	/** The operation adds whether it is safe to repeat. */
	retry: Omit<RetrySettings, 'safeToRepeat'>;
}

interface Options {
	concurrency: number;
	requestsPerSecond: number;
	timeout: number;
	maxTries: number;
	retryUncertain: boolean;
	retryDelay: number;
	maxRetryDelay: number;
	treatAlreadyApprovedAsSuccess: boolean;
	recoverExistingNumber: boolean;
}

export const optionsField: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		concurrencyOption(
			64,
			'How many requests may be in flight at once. Output order and item pairing stay the same whatever the value.',
		),
		requestsPerSecondOption(
			'Paces the requests of this node in one execution, retries included, to at most this many per second: from 0.01 (one request every 100 seconds) to 1000; a smaller rate counts as 0.01. 0 means no pacing. Executions running at the same time, on one worker or several, each get this rate.',
		),
		{
			displayName: 'Max Retry Wait (Ms)',
			name: 'maxRetryDelay',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: LONGEST_TIMER_MS },
			default: 30000,
			description:
				'Longest wait before a retry. When Kaleyra asks (Retry-After) for a longer one, the item goes to Error instead.',
		},
		{
			displayName: 'Recover Existing Number',
			name: 'recoverExistingNumber',
			type: 'boolean',
			default: true,
			displayOptions: { show: { '/operation': operationsWhere(({ existing }) => !!existing) } },
			description:
				'Whether a number Kaleyra answers "phone number already exists" for is looked up in the WABA\'s number list (reads only) and goes to the Success output with its phoneNumberId, marked alreadyExisted: true, so a repeated or retried add keeps its ID. Turn off to send such items to Error.',
		},
		{
			displayName: 'Retry Wait (Ms)',
			name: 'retryDelay',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: LONGEST_TIMER_MS },
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
				"Whether to also retry Add Number, Verify Number and Retry OTP when the request may have reached Kaleyra: a connection reset, a timeout, or a gateway's 429 or 5xx without Kaleyra's answer (a gateway may answer after forwarding). Warning: a repeated Add Number or Retry OTP may send the number another SMS or call, and a repeated Verify Number may use up one of the OTP's tries.",
		},
		timeoutOption,
		{
			displayName: 'Treat Already Approved as Success',
			name: 'treatAlreadyApprovedAsSuccess',
			type: 'boolean',
			default: true,
			displayOptions: {
				show: {
					'/operation': operationsWhere(({ alreadyApprovedIsDone }) => alreadyApprovedIsDone),
				},
			},
			description:
				'Whether a number Kaleyra reports as "already approved" goes to the Success output, marked alreadyApproved: true. The number is verified either way; turn off to send such items to Error.',
		},
		triesOption(
			'How many times in all a request may be sent. Reads are retried whenever they fail on the way; Add Number, Verify Number and Retry OTP only when they cannot have reached Kaleyra (connection refused, DNS failure) or Kaleyra itself asked to repeat (WA500 "Please try again later"), unless Retry When Delivery Is Uncertain is on. 1 turns retries off.',
		),
	],
};

const DEFINITIONS = new Map(
	(optionsField.options as INodeProperties[]).map((option) => [option.name, option]),
);

// The defaults shown in the UI are the ones applied.
const DEFAULTS = Object.fromEntries(
	[...DEFINITIONS].map(([name, { default: value }]) => [name, value]),
) as unknown as Options;

/**
 * An option set by expression can be anything: a number outside the range the UI allows is
 * brought back into it, anything else is refused (NaN would stop the workers or the retry limit).
 */
function toNumberOption(name: keyof Options, value: unknown): number {
	const { displayName, typeOptions } = DEFINITIONS.get(name) as INodeProperties;
	const min = typeOptions?.minValue ?? -Infinity;
	const max = typeOptions?.maxValue ?? Infinity;
	if (typeof value !== 'number' || Number.isNaN(value)) {
		throw new InvalidFieldError({
			field: `options.${name}`,
			rule: `is ${describeValue(value)}, not a number`,
			hint: `Set Options › ${displayName} to a number from ${min} to ${max}, or remove the option to use ${String(DEFAULTS[name])}.`,
		});
	}
	return Math.min(max, Math.max(min, value));
}

function toBooleanOption(name: keyof Options, value: unknown): boolean {
	if (typeof value !== 'boolean') {
		const { displayName } = DEFINITIONS.get(name) as INodeProperties;
		throw new InvalidFieldError({
			field: `options.${name}`,
			rule: `is ${describeValue(value)}, not true or false`,
			hint: `Set Options › ${displayName} with its switch, or with an expression giving true or false (a boolean, not text).`,
		});
	}
	return value;
}

const CHECKS: { [K in keyof Options]: (value: unknown) => Options[K] } = {
	concurrency: (value) => Math.floor(toNumberOption('concurrency', value)),
	requestsPerSecond: (value) => toPace(toNumberOption('requestsPerSecond', value)),
	timeout: (value) => toNumberOption('timeout', value),
	maxTries: (value) => Math.floor(toNumberOption('maxTries', value)),
	retryUncertain: (value) => toBooleanOption('retryUncertain', value),
	retryDelay: (value) => toNumberOption('retryDelay', value),
	maxRetryDelay: (value) => toNumberOption('maxRetryDelay', value),
	treatAlreadyApprovedAsSuccess: (value) => toBooleanOption('treatAlreadyApprovedAsSuccess', value),
	recoverExistingNumber: (value) => toBooleanOption('recoverExistingNumber', value),
};

/**
 * Reads and checks the named options of one item. Every option at fault is named, not only the
 * first; the values are given only when none is at fault.
 */
function readOptions<K extends keyof Options>(
	fns: IExecuteFunctions,
	itemIndex: number,
	names: K[],
): { values?: Pick<Options, K>; problems: FieldProblem[] } {
	let collection: Partial<Options> | undefined;
	try {
		collection = fns.getNodeParameter('options', itemIndex, {}) as Partial<Options>;
	} catch {
		// One option's expression failed and took the collection with it: each option is then
		// read on its own, so each failing one is named with its own error.
	}
	const read = (name: K): unknown =>
		collection
			? name in collection
				? collection[name]
				: DEFAULTS[name]
			: fns.getNodeParameter(`options.${name}`, itemIndex, DEFAULTS[name]);
	// Per item, the options are almost always all good: checked in one plain pass first. Only
	// when one fails are they checked again one by one, to name every option at fault.
	const values = {} as Pick<Options, K>;
	try {
		for (const name of names) values[name] = CHECKS[name](read(name)) as Options[K];
		return { values, problems: [] };
	} catch {
		// Named below, with the others at fault.
	}
	const checked = checkFields(
		Object.fromEntries(names.map((name) => [`options.${name}`, () => CHECKS[name](read(name))])),
	);
	if (checked.problems.length > 0) return { problems: checked.problems };
	// An option read again by its own expression may give another value (Math.random()): the
	// second pass's values stand.
	for (const name of names) values[name] = checked.values[`options.${name}`] as Options[K];
	return { values, problems: [] };
}

/** Settings that hold for the whole run, read from the first item. */
export function readRunSettings(fns: IExecuteFunctions) {
	return readOptions(fns, 0, ['concurrency', 'requestsPerSecond']);
}

/** One item's settings, or the problems naming every option at fault. */
export function readItemSettings(
	fns: IExecuteFunctions,
	itemIndex: number,
): { settings?: ItemSettings; problems: FieldProblem[] } {
	const { values, problems } = readOptions(fns, itemIndex, [
		'timeout',
		'treatAlreadyApprovedAsSuccess',
		'recoverExistingNumber',
		'maxTries',
		'retryUncertain',
		'retryDelay',
		'maxRetryDelay',
	]);
	if (!values) return { problems };
	return {
		problems,
		settings: {
			timeoutMs: values.timeout,
			treatAlreadyApprovedAsSuccess: values.treatAlreadyApprovedAsSuccess,
			recoverExistingNumber: values.recoverExistingNumber,
			retry: {
				maxTries: values.maxTries,
				retryUncertain: values.retryUncertain,
				baseDelayMs: values.retryDelay,
				maxDelayMs: values.maxRetryDelay,
			},
		},
	};
}
