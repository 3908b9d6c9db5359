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

/** Waits `ms`, or less when `stop` fires first. */
export async function pause(ms: number, stop?: AbortSignal): Promise<void> {
	if (!stop) return await sleep(ms);
	if (stop.aborted) return;
	let onStop = () => {};
	const stopped = new Promise<void>((resolve) => {
		onStop = resolve;
		stop.addEventListener('abort', onStop, { once: true });
	});
	try {
		await Promise.race([sleep(ms), stopped]);
	} finally {
		stop.removeEventListener('abort', onStop);
	}
}

export interface Pacer {
	/** Resolves when the next request may start, or at once when `stop` has fired. */
	wait(stop?: AbortSignal): Promise<void>;
}

/**
 * Spaces request starts 1/rate seconds apart. Calls take turns, each after the previous one
 * has started, and no more than floor(rate) (at least 1) starts fall within any span of that
 * many intervals (about a second): when the event loop was held up (a busy CPU, a long garbage
 * collection), the requests whose time came meanwhile do not all go at once. A rate of 0 means
 * no pacing.
 */
export function createPacer(requestsPerSecond: number): Pacer {
	if (!(requestsPerSecond > 0)) return { wait: async () => {} };
	const interval = 1000 / requestsPerSecond;
	const burst = Math.max(1, Math.floor(requestsPerSecond));
	// The last `burst` start times, oldest at `oldest` once full.
	const starts: number[] = [];
	let oldest = 0;
	let nextSlot = 0;
	let turns: Promise<void> = Promise.resolve();

	const start = async (stop?: AbortSignal) => {
		if (stop?.aborted) return;
		let now = Date.now();
		let slot = Math.max(now, nextSlot);
		if (starts.length === burst) slot = Math.max(slot, starts[oldest] + burst * interval);
		if (slot > now) {
			await pause(slot - now, stop);
			if (stop?.aborted) return;
			now = Date.now();
		}
		// The schedule follows the slot, not the late wake-up, so timer lag does not slow it down.
		nextSlot = slot + interval;
		if (starts.length < burst) starts.push(now);
		else {
			starts[oldest] = now;
			oldest = (oldest + 1) % burst;
		}
	};

	return {
		wait(stop) {
			turns = turns.then(async () => await start(stop));
			return turns;
		},
	};
}
