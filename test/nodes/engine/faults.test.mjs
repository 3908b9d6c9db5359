import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';

import { NUMBERS, credentialsFor, itemFor, onlyItem, runOperation, useEmulator } from '../../helpers/kaleyra.mjs';

// Retries wait milliseconds here; the waits' lengths are covered where they matter.
const FAST_RETRIES = { retryDelay: 1, maxRetryDelay: 50 };

describe('Faults between the node and Kaleyra', () => {
	const emulator = useEmulator({});

	async function verifyOnce(faults, options = {}, number = NUMBERS.pending1) {
		emulator().setFaults({ hangMs: 2_000, ...faults });
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(number)], {
			options: { ...FAST_RETRIES, ...options },
		});
		return result;
	}

	for (const fault of ['http429', 'http503', 'wa500TryLater']) {
		it(`retries after ${fault}, which Kaleyra did not act on, and succeeds`, async () => {
			const { json } = onlyItem(await verifyOnce({ queue: [fault] }), 'success');
			assert.equal(json.attempts, 2);
			assert.equal(json.alreadyApproved, false);
			assert.deepEqual(
				emulator().requests.map((request) => request.fault ?? null),
				[fault, null],
			);
		});
	}

	it('waits at least as long as Retry-After asks', async () => {
		const result = await verifyOnce(
			{ queue: ['http429RetryAfter'], retryAfterSeconds: 1 },
			{ maxRetryDelay: 5_000 },
		);
		assert.equal(onlyItem(result, 'success').json.attempts, 2);
		const [first, second] = emulator().requests;
		assert.ok(second.receivedAt - first.receivedAt >= 1_000, 'the retry came before Retry-After');
	});

	it('does not wait longer than Max Retry Wait: the item goes to Error as rate limited', async () => {
		const result = await verifyOnce({ queue: ['http429RetryAfter'], retryAfterSeconds: 60 });
		const { error, attempts } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'RATE_LIMITED');
		assert.equal(error.retryable, true);
		assert.equal(attempts, 1);
	});

	it('gives up after the configured number of tries', async () => {
		const result = await verifyOnce({ queue: ['http503', 'http503', 'http503', 'http503'] }, { maxTries: 4 });
		const { error, attempts } = onlyItem(result, 'failed').json;
		assert.equal(attempts, 4);
		assert.equal(error.code, 'HTTP_ERROR');
		assert.equal(error.httpStatus, 503);
		assert.equal(emulator().requests.length, 4);
	});

	for (const [fault, code] of [
		['reset', 'CONNECTION_LOST'],
		['hang', 'TIMEOUT'],
		['http500', 'HTTP_ERROR'],
		['html', 'HTTP_ERROR'],
	]) {
		it(`does not repeat a verify that may have reached Kaleyra (${fault})`, async () => {
			const result = await verifyOnce({ queue: [fault] }, { timeout: 300 });
			const { error, attempts } = onlyItem(result, 'failed').json;
			assert.equal(error.code, code);
			assert.equal(attempts, 1);
			assert.equal(emulator().requests.length, 1);
		});
	}

	it('repeats an uncertain verify only when asked to, and then finds it already approved', async () => {
		// The reset comes after Kaleyra verified the number: only the answer was lost.
		const result = await verifyOnce({ queue: ['reset'] }, { retryUncertain: true });
		const { json } = onlyItem(result, 'success');
		assert.equal(json.attempts, 2);
		assert.equal(json.alreadyApproved, true);
	});

	it('does not repeat a Retry OTP that may have sent a code', async () => {
		emulator().setFaults({ queue: ['reset'] });
		const result = await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.pending1)], {
			options: FAST_RETRIES,
		});
		assert.equal(onlyItem(result, 'failed').json.error.code, 'CONNECTION_LOST');
		assert.equal(emulator().numbers()[NUMBERS.pending1.id].otpSentCount, 1, 'exactly one code was sent');
	});

	for (const [fault, code] of [
		['malformedJson', 'INVALID_RESPONSE'],
		['empty', 'INVALID_RESPONSE'],
		['tooLarge', 'INVALID_RESPONSE'],
	]) {
		it(`reports a ${fault} answer on Error without retrying it`, async () => {
			const { error, attempts } = onlyItem(await verifyOnce({ queue: [fault] }), 'failed').json;
			assert.equal(error.code, code);
			assert.equal(error.httpStatus, 200);
			assert.equal(attempts, 1);
		});
	}

	it('retries a refused connection, which cannot have reached Kaleyra', async () => {
		const closedPort = await new Promise((resolve) => {
			const probe = net.createServer().listen(0, '127.0.0.1', () => {
				const { port } = probe.address();
				probe.close(() => resolve(port));
			});
		});
		const credentials = credentialsFor(emulator(), { baseUrl: `http://127.0.0.1:${closedPort}` });
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			credentials,
			options: FAST_RETRIES,
		});
		const { error, attempts } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'NETWORK_ERROR');
		assert.match(error.message, /ECONNREFUSED/);
		assert.equal(attempts, 3);
	});
});

describe('Concurrency and pacing', () => {
	const emulator = useEmulator();
	const numbers = Object.values(NUMBERS);
	const items = Array.from({ length: 60 }, (_, index) =>
		itemFor(numbers[index % numbers.length], index % 7 === 3 ? { otp: 'bad' } : {}),
	);

	async function outputsAt(concurrency, faults) {
		emulator().reset();
		emulator().setFaults(faults);
		const result = await runOperation(emulator(), 'retryOtp', items, {
			options: { ...FAST_RETRIES, concurrency },
		});
		return { success: result.success, failed: result.failed };
	}

	it('gives the same outputs, in the same order, at concurrency 1, 8 and 32', async () => {
		const faults = { latencyMs: 5, byPhoneNumberId: { [NUMBERS.pending2.id]: ['http503'] } };
		const one = await outputsAt(1, faults);
		assert.deepEqual(await outputsAt(8, faults), one);
		assert.deepEqual(await outputsAt(32, faults), one);
	});

	it('keeps at most Concurrency requests in flight', async () => {
		emulator().setFaults({ latencyMs: 20 });
		await runOperation(emulator(), 'retryOtp', items.slice(0, 30), { options: { concurrency: 4 } });
		assert.ok(emulator().maxInFlight() <= 4, `saw ${emulator().maxInFlight()} in flight`);
		assert.ok(emulator().maxInFlight() >= 2, 'requests did overlap');
	});
});
