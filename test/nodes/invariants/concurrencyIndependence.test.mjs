// Invariant 1b: the outputs do not depend on Concurrency. Faults given per phone number ID meet
// each item whatever order the requests go in, so a run at Concurrency 1 and one at N must give
// the same items, in the same order. Every run also checks 1 and 4.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';

import { startKaleyraEmulator } from '../../../emulator/kaleyra-emulator.mjs';
import { runOperation } from '../../helpers/kaleyra.mjs';
import { assertEveryItemOnceInOrder, assertNoKeyAnywhere, capturingOutput } from './assertions.mjs';
import {
	FAULT_KINDS,
	MAX_RETRY_DELAY_MS,
	POOL,
	RUNS,
	SEED,
	SMALL_FAULTS,
	TIMEOUT_MS,
	emulatorHolding,
	itemVariant,
	itemsOf,
} from './cases.mjs';


const concurrencyCase = fc.record({
	operation: fc.constantFrom('verifyNumber', 'retryOtp'),
	picks: fc.shuffledSubarray(
		POOL.map((_, index) => index),
		{ minLength: 2, maxLength: 10 },
	),
	variants: fc.array(itemVariant, { minLength: 12, maxLength: 12 }),
	sequences: fc.array(fc.array(fc.constantFrom('ok', ...FAULT_KINDS), { maxLength: 3 }), {
		minLength: 12,
		maxLength: 12,
	}),
	concurrency: fc.integer({ min: 2, max: 8 }),
	maxTries: fc.integer({ min: 1, max: 4 }),
	retryUncertain: fc.boolean(),
	treatAlreadyApprovedAsSuccess: fc.boolean(),
});

describe('Invariants across concurrency', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator(emulatorHolding(POOL));
	});
	after(() => emulator.close());

	it('1b. Concurrency N gives the very outputs of Concurrency 1, and the same requests per item', async () => {
		await fc.assert(
			fc.asyncProperty(concurrencyCase, async (testCase) => {
				const cases = itemsOf(testCase);
				const items = cases.map(({ json }) => ({ json }));
				const byPhoneNumberId = Object.fromEntries(
					cases.map(({ id }, index) => [id, testCase.sequences[index]]),
				);
				const runAt = async (concurrency) => {
					emulator.reset();
					emulator.setFaults({ byPhoneNumberId, retryAfterSeconds: 0, ...SMALL_FAULTS });
					const { result, printed } = await capturingOutput(() =>
						runOperation(emulator, testCase.operation, items, {
							options: {
								concurrency,
								timeout: TIMEOUT_MS,
								maxTries: testCase.maxTries,
								retryUncertain: testCase.retryUncertain,
								retryDelay: 1,
								maxRetryDelay: MAX_RETRY_DELAY_MS,
								treatAlreadyApprovedAsSuccess: testCase.treatAlreadyApprovedAsSuccess,
							},
						}),
					);
					assertEveryItemOnceInOrder(result, items, testCase.operation);
					assertNoKeyAnywhere(result, printed);
					const sent = cases.map(({ id }) =>
						emulator.requests
							.filter((request) => request.json?.id === id)
							.map((request) => request.fault ?? request.code),
					);
					return { success: result.success, failed: result.failed, sent };
				};
				const one = await runAt(1);
				const many = await runAt(testCase.concurrency);
				assert.ok(one.success.length + one.failed.length === items.length);
				assert.deepEqual(many.sent, one.sent, '[1b] an item met other requests at Concurrency N');
				assert.deepEqual(many.success, one.success, '[1b] Success differs at Concurrency N');
				assert.deepEqual(many.failed, one.failed, '[1b] Error differs at Concurrency N');
			}),
			{ seed: SEED + 6, numRuns: Math.ceil(RUNS / 2) },
		);
	});
});
