// Max Requests per Second, checked against what the pacer promises (engine/scheduler.ts), on
// the node's own clock: the moment each request leaves, as n8n's logger hears the node say so.
// Arrival times at the emulator add transport delays that a busy machine stretches unevenly,
// and the pacer lets a late wake-up catch up by design, so they prove nothing to the
// millisecond. What is promised: the k-th start is at least k intervals after the first (the
// long-run rate), and no more than floor(rate) starts fall within any span of that many
// intervals, even after the event loop was held up.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { NUMBERS, itemFor, runOperation, useEmulator } from '../../helpers/kaleyra.mjs';

// n8n's own DI container and Logger, as n8n-core resolves them (it has its own copies).
const coreRequire = createRequire(createRequire(import.meta.url).resolve('n8n-core'));
const { Container } = coreRequire('@n8n/di');
const { Logger } = coreRequire('@n8n/backend-common');

// The log line comes a few statements after the pacer took its time, and a loaded machine can
// deschedule the process in between (a run at load 8 on 2 cores saw 6 ms); a timer may also fire
// a millisecond early. Starts can only look closer together by that much, never further apart,
// so the windows below are a second long: a pacer without its window check lets 5 starts into
// about 750 ms of one.
const SLACK_MS = 100;

describe('Max Requests per Second', () => {
	const emulator = useEmulator({});
	let starts;
	let onStart;
	let original;

	// Every other log call goes to n8n's logger as usual.
	beforeEach(() => {
		starts = [];
		onStart = () => {};
		original = Container.get(Logger);
		const info = (message, meta) => {
			if (String(message).includes('request leaving')) {
				starts.push(Date.now());
				onStart(starts.length);
			}
			return original.info(message, meta);
		};
		// The Logger's methods are fixed properties of its own: a stand-in passes on the rest.
		const recorder = new Proxy(
			{},
			{
				get: (_, name) => {
					if (name === 'info') return info;
					const value = Reflect.get(original, name);
					return typeof value === 'function' ? value.bind(original) : value;
				},
			},
		);
		Container.set(Logger, recorder);
	});
	afterEach(() => Container.set(Logger, original));

	async function pacedRun(count, requestsPerSecond) {
		const items = Array.from({ length: count }, () => itemFor(NUMBERS.pending1));
		const result = await runOperation(emulator(), 'retryOtp', items, {
			options: { concurrency: 8, requestsPerSecond },
		});
		assert.equal(result.success.length, count);
		assert.equal(starts.length, count, 'one "request leaving" line per request');
		assert.equal(emulator().requests.length, count);
		return starts;
	}

	function assertPaced(times, requestsPerSecond) {
		const interval = 1000 / requestsPerSecond;
		const burst = Math.max(1, Math.floor(requestsPerSecond));
		const spans = times.map((at) => at - times[0]);
		for (const [k, span] of spans.entries()) {
			assert.ok(span >= k * interval - SLACK_MS, `start ${k} came ${span} ms after the first`);
		}
		for (let i = 0; i + burst < times.length; i++) {
			const window = times[i + burst] - times[i];
			assert.ok(
				window >= burst * interval - SLACK_MS,
				`${burst + 1} starts (${i} to ${i + burst}) within ${window} ms: ${JSON.stringify(spans)}`,
			);
		}
	}

	it('paces request starts to Max Requests per Second, across the run', async () => {
		assertPaced(await pacedRun(21, 20), 20);
	});

	// The event loop held up for 800 ms after the first start (a busy CPU, a long garbage
	// collection): at 4 per second, the three starts whose time came meanwhile go at once, and
	// then no more than 4 within any second, however late the timers were.
	it('lets no more than floor(rate) starts into any window after the event loop was held up', async () => {
		onStart = (n) => {
			if (n === 1) setImmediate(() => holdEventLoop(800));
		};
		const times = await pacedRun(8, 4);
		assert.ok(times[1] - times[0] >= 800, 'the hold-up came before the second start');
		assertPaced(times, 4);
	});
});

function holdEventLoop(ms) {
	const until = Date.now() + ms;
	while (Date.now() < until);
}
