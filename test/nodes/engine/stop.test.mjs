// The user presses Stop: n8n aborts the execution's cancel signal. No request may start after
// that, and what is in flight is abandoned at once.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';

import { NUMBERS, itemFor, runOperation, useEmulator } from '../../helpers/kaleyra.mjs';

const FIVE_ITEMS = [
	NUMBERS.pending1,
	NUMBERS.pending2,
	NUMBERS.pendingLongId,
	NUMBERS.pendingZeroOtp,
	NUMBERS.approved,
].map((number) => itemFor(number));

/**
 * Runs Retry OTP on `items`, pressing Stop once `stopWhen` says so. Resolves when n8n has
 * settled the run, that is when the node's execute() has returned, with how long that took.
 */
async function runAndStop(emulator, items, options, stopWhen) {
	let stoppedAt;
	let settled;
	await runOperation(emulator, 'retryOtp', items, {
		options,
		onRunning: (running) => {
			settled = running.then(() => Date.now());
			const poll = setInterval(() => {
				if (!stopWhen()) return;
				clearInterval(poll);
				stoppedAt = Date.now();
				running.cancel();
			}, 10);
		},
	});
	return { stoppedAt, settleMs: (await settled) - stoppedAt };
}

// Each wait below is 10 s: a node that sits it out settles long after the 5 s allowed.
const SETTLE_LIMIT_MS = 5_000;

describe('Stop', () => {
	const emulator = useEmulator();

	it('ends a pacing wait at once, and no request starts after Stop', async () => {
		const { stoppedAt, settleMs } = await runAndStop(
			emulator(),
			FIVE_ITEMS,
			{ requestsPerSecond: 0.1 },
			() => emulator().requests.length === 1,
		);
		assert.ok(settleMs < SETTLE_LIMIT_MS, `the run settled ${settleMs} ms after Stop`);
		await delay(500);
		assert.equal(emulator().requests.length, 1, 'a request left after Stop');
		assert.ok(emulator().requests[0].receivedAt <= stoppedAt);
	});

	it('ends a retry wait at once, and the retry is never sent', async () => {
		// A gateway's 429 may come after the request reached Kaleyra: retried only when asked to.
		emulator().setFaults({ queue: ['http429RetryAfter'], retryAfterSeconds: 10 });
		const { settleMs } = await runAndStop(
			emulator(),
			[itemFor(NUMBERS.pending1)],
			{ maxRetryDelay: 20_000, retryUncertain: true },
			() => emulator().requests.length === 1 && emulator().requests[0].status !== null,
		);
		assert.ok(settleMs < SETTLE_LIMIT_MS, `the run settled ${settleMs} ms after Stop`);
		await delay(500);
		assert.equal(emulator().requests.length, 1, 'the retry was sent after Stop');
	});

	it('abandons requests in flight: their connections close and the rest are never sent', async () => {
		emulator().setFaults({ latencyMs: 10_000 });
		const { settleMs } = await runAndStop(
			emulator(),
			FIVE_ITEMS,
			{ concurrency: 2 },
			() => emulator().counters.inFlight === 2,
		);
		assert.ok(settleMs < SETTLE_LIMIT_MS, `the run settled ${settleMs} ms after Stop`);
		await delay(500);
		assert.equal(emulator().counters.inFlight, 0, 'a connection stayed open after Stop');
		assert.equal(emulator().requests.length, 2, 'a request left after Stop');
	});
});
