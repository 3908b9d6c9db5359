// The faults only the node's Timeout ends (hang, trickle), inside a concurrent batch with
// retries: what the random cases leave out (cases.mjs, SLOW_FAULTS). The Timeout comes from
// each item, by expression, short only for the items that meet a slow fault, so that an answer
// merely late on a busy machine never meets it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startKaleyraEmulator } from '../../../emulator/kaleyra-emulator.mjs';
import { credentialsFor, runOperation } from '../../helpers/kaleyra.mjs';
import { assertEveryItemOnceInOrder, assertNoOtpInOutputs } from './assertions.mjs';
import { POOL, SLOW_FAULTS, emulatorHolding, itemsOf } from './cases.mjs';

const SHORT_TIMEOUT_MS = 300;
const LONG_TIMEOUT_MS = 30_000;
const PENDING = POOL.map((number, index) => ({ number, index })).filter(
	({ number }) => number.state === 'pending',
);

describe('Invariants with the faults only a Timeout ends', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator(emulatorHolding(POOL));
	});
	after(() => emulator.close());

	for (const operation of ['verifyNumber', 'retryOtp']) {
		for (const retryUncertain of [false, true]) {
			it(`${operation}, Retry When Delivery Is Uncertain ${retryUncertain ? 'on' : 'off'}: each slow item times out alone, once unless repeats are allowed; the others succeed`, async () => {
				emulator.reset();
				const picks = PENDING.slice(0, 6).map(({ index }) => index);
				const cases = itemsOf({
					picks,
					operation,
					variants: picks.map(() => ({ kind: 'good', idAsNumber: false, channel: 'SMS' })),
				});
				// The first two items meet a slow fault on their first try, nothing after.
				const slowIds = new Map(cases.slice(0, 2).map(({ id }, at) => [id, SLOW_FAULTS[at]]));
				emulator.setFaults({
					byPhoneNumberId: Object.fromEntries(
						[...slowIds].map(([id, fault]) => [id, [fault]]),
					),
					hangMs: 60_000,
					trickleMs: 100,
				});
				const items = cases.map(({ json, id }) => ({
					json: { ...json, timeoutMs: slowIds.has(id) ? SHORT_TIMEOUT_MS : LONG_TIMEOUT_MS },
				}));
				const result = await runOperation(emulator, operation, items, {
					credentials: credentialsFor(emulator),
					options: {
						concurrency: 3,
						timeout: '={{ $json.timeoutMs }}',
						maxTries: 3,
						retryUncertain,
						retryDelay: 1,
						maxRetryDelay: 20,
					},
				});
				assertEveryItemOnceInOrder(result, items, operation);
				assertNoOtpInOutputs(result, items);

				for (const [index, { id }] of cases.entries()) {
					const sent = emulator.requests.filter((request) => request.json?.id === id).length;
					const success = result.success.find((item) => item.pairedItem.item === index);
					const failed = result.failed.find((item) => item.pairedItem.item === index);
					if (!slowIds.has(id)) {
						assert.ok(success, `item ${index}: no slow fault, yet on Error`);
						assert.equal(sent, 1, `item ${index}: sent ${sent} times`);
					} else if (retryUncertain) {
						// The user accepted the risk: the second try, with no fault, succeeds.
						assert.ok(success, `item ${index} (${slowIds.get(id)}): not retried to success`);
						assert.equal(success.json.attempts, 2);
						assert.equal(sent, 2);
					} else {
						assert.ok(failed, `item ${index} (${slowIds.get(id)}): not on Error`);
						assert.equal(failed.json.error.code, 'TIMEOUT');
						assert.equal(failed.json.error.retryable, false);
						assert.equal(sent, 1, `item ${index}: a request that may have arrived was re-sent`);
					}
				}
			});
		}
	}
});
