import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { freePort } from '../../../scripts/n8n/ports.mjs';
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

	it('retries after WA500 "Please try again later": Kaleyra itself says it did not act', async () => {
		const { json } = onlyItem(await verifyOnce({ queue: ['wa500TryLater'] }), 'success');
		assert.equal(json.attempts, 2);
		assert.equal(json.alreadyApproved, false);
		assert.deepEqual(
			emulator().requests.map((request) => request.fault ?? null),
			['wa500TryLater', null],
		);
	});

	// A gateway may answer after forwarding the request (forwarded503 is one that did): nothing in
	// its answer says whether Kaleyra acted, so a write is not sent again with default options.
	for (const [fault, code] of [
		['http429', 'RATE_LIMITED'],
		['http503', 'HTTP_ERROR'],
		['forwarded503', 'HTTP_ERROR'],
	]) {
		for (const operation of ['verifyNumber', 'retryOtp']) {
			it(`${operation}: does not repeat after a gateway's ${fault} without Kaleyra's JSON, and says it may have arrived`, async () => {
				emulator().setFaults({ queue: [fault] });
				const result = await runOperation(emulator(), operation, [itemFor(NUMBERS.pending1)], {
					options: FAST_RETRIES,
				});
				const { error, attempts } = onlyItem(result, 'failed').json;
				assert.equal(error.code, code);
				assert.equal(error.retryable, false);
				assert.match(error.hint, /may have reached Kaleyra/);
				assert.equal(attempts, 1);
				assert.equal(emulator().requests.length, 1);
			});
		}
		it(`a read is still retried after a gateway's ${fault}, and succeeds`, async () => {
			emulator().setFaults({ queue: [fault] });
			const result = await runOperation(emulator(), 'getNumberDetails', [itemFor(NUMBERS.pending1)], {
				options: FAST_RETRIES,
			});
			assert.equal(onlyItem(result, 'success').json.attempts, 2);
		});
	}

	it('repeats after a gateway 503 when Retry When Delivery Is Uncertain is on, and then finds the number approved', async () => {
		const result = await verifyOnce({ queue: ['forwarded503'] }, { retryUncertain: true });
		const { json } = onlyItem(result, 'success');
		assert.equal(json.attempts, 2);
		assert.equal(json.alreadyApproved, true, 'the first verify had reached Kaleyra');
	});

	it('waits at least as long as Retry-After asks', async () => {
		emulator().setFaults({ queue: ['http429RetryAfter'], retryAfterSeconds: 1 });
		const result = await runOperation(emulator(), 'getNumberDetails', [itemFor(NUMBERS.pending1)], {
			options: { ...FAST_RETRIES, maxRetryDelay: 5_000 },
		});
		assert.equal(onlyItem(result, 'success').json.attempts, 2);
		const [first, second] = emulator().requests;
		assert.ok(second.receivedAt - first.receivedAt >= 1_000, 'the retry came before Retry-After');
	});

	it('does not wait longer than Max Retry Wait: the item goes to Error as rate limited', async () => {
		emulator().setFaults({ queue: ['http429RetryAfter'], retryAfterSeconds: 60 });
		const result = await runOperation(emulator(), 'getNumberDetails', [itemFor(NUMBERS.pending1)], {
			options: FAST_RETRIES,
		});
		const { error, attempts } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'RATE_LIMITED');
		assert.equal(error.retryable, true);
		assert.equal(attempts, 1);
	});

	it('gives up after the configured number of tries', async () => {
		const result = await verifyOnce({ queue: Array(4).fill('wa500TryLater') }, { maxTries: 4 });
		const { error, attempts } = onlyItem(result, 'failed').json;
		assert.equal(attempts, 4);
		assert.equal(error.code, 'WA500');
		assert.equal(error.httpStatus, 500);
		assert.equal(error.retryable, true);
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
		const closedPort = await freePort();
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
