/** Runs the items' work with a bounded number in flight, and paces requests across the whole run. */
import { sleep } from 'n8n-workflow';

/**
 * Calls `work(index)` for every index below `count`, at most `concurrency` at a time.
 * Results land by index, so output order never depends on which call ends first.
 */
export async function mapWithConcurrency<T>(
	count: number,
	concurrency: number,
	work: (index: number) => Promise<T>,
): Promise<T[]> {
	const results = new Array<T>(count);
	let next = 0;
	const worker = async () => {
		while (next < count) {
			const index = next++;
			results[index] = await work(index);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
	return results;
}

export interface Pacer {
	/** Resolves when the next request may start. */
	wait(): Promise<void>;
}

/** Spaces request starts 1/rate seconds apart; a rate of 0 means no pacing. */
export function createPacer(requestsPerSecond: number): Pacer {
	if (!(requestsPerSecond > 0)) return { wait: async () => {} };
	const interval = 1000 / requestsPerSecond;
	let nextSlot = 0;
	return {
		async wait() {
			const now = Date.now();
			const slot = Math.max(now, nextSlot);
			nextSlot = slot + interval;
			if (slot > now) await sleep(slot - now);
		},
	};
}
