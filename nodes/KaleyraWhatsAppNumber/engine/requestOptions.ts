/**
 * The options both nodes give their requests, each defined once where its meaning is the same:
 * the action node's Options (options.ts) and the trigger's (pollOptions.ts). Where the nodes
 * differ, the words (a run's items, a poll's reads) and the Concurrency ceiling are each node's.
 */
import type { INodeProperties } from 'n8n-workflow';

// Node's timers take at most 2^31 - 1 ms; a longer one fires after 1 ms instead.
export const LONGEST_TIMER_MS = 2_147_483_647;

// Pacing spaces requests 1 / rate apart with timers, so a tiny rate (1e-7: 10^10 ms) would overflow
// the longest timer and fire at once, unpaced. Slower than one request per 100 s is a job for a
// schedule, not a run held open for hours; 1000 per second is more than one n8n process sends.
const SLOWEST_PACE = 0.01;
const FASTEST_PACE = 1000;

/** 0 turns pacing off; any other rate is kept within what the pacer's timers can space. */
export function toPace(rate: number): number {
	return rate === 0 ? 0 : Math.max(SLOWEST_PACE, rate);
}

/** How many requests may be in flight at once; the trigger's polls allow fewer than a run. */
export function concurrencyOption(maxValue: number, description: string): INodeProperties {
	return {
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue },
		default: 1,
		description,
	};
}

/** The pace of one execution's or one poll's requests, retries included. */
export function requestsPerSecondOption(description: string): INodeProperties {
	return {
		displayName: 'Max Requests per Second',
		name: 'requestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: FASTEST_PACE },
		default: 0,
		description,
	};
}

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Ms)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: LONGEST_TIMER_MS },
	default: 30000,
	description: 'How long to wait for Kaleyra to answer one request, in milliseconds',
};

/** How many times in all a request may be sent; which requests are retried is each node's. */
export function triesOption(description: string): INodeProperties {
	return {
		displayName: 'Tries',
		name: 'maxTries',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10 },
		default: 3,
		description,
	};
}
