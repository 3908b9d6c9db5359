// Invariant 3: no automatic repeat of a request that may have reached Kaleyra, unless the user
// asked for it, and no giving up while a repeat is allowed (cases.mjs). Every case also checks 1 and 4.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { batchCase, faultMix, judge, useBatchProperties } from './cases.mjs';

describe('Invariants under random batches and fault mixes', () => {
	const { property, emulator } = useBatchProperties();

	it('3. no automatic repeat of a request that may have reached Kaleyra, unless asked', async () => {
		// Cases where a repeat is possible at all: more than one try, and some faults.
		const repeatable = batchCase({
			maxTries: fc.integer({ min: 2, max: 4 }),
			faults: faultMix(fc.constantFrom(0.25, 0.5, 0.75)),
		});
		await property(
			3,
			(testCase, { outputs }) => {
				const allowed = testCase.retryUncertain ? ['safe', 'uncertain'] : ['safe'];
				for (const { item, requests, number, invalidField, id } of outputs) {
					const where = `item ${item.pairedItem.item} (${JSON.stringify(requests.map((r) => r.fault ?? r.code))})`;
					if (invalidField !== undefined) {
						assert.equal(item.json.attempts, 0, `[3] ${where}: attempts of a malformed item`);
						assert.equal(requests.length, 0, `[3] ${where}: a malformed item was sent`);
						continue;
					}
					if (testCase.target === 'closedPort') {
						// Refused connections never reached anything: every try is used.
						assert.equal(item.json.attempts, testCase.maxTries, `[3] ${where}: refused tries`);
						continue;
					}
					assert.equal(
						item.json.attempts,
						requests.length,
						`[3] ${where}: attempts ≠ requests sent`,
					);
					assert.ok(requests.length <= testCase.maxTries, `[3] ${where}: more than Tries`);
					const judged = requests.map((request) => judge(request, number, testCase.faults));
					judged.slice(0, -1).forEach((earlier, at) => {
						assert.ok(
							allowed.includes(earlier.repeat),
							`[3] ${where}: request ${at + 1} (${requests[at].fault ?? requests[at].code}) was repeated`,
						);
					});
					if (!testCase.retryUncertain) {
						const acted = judged.filter((answer) => answer.mayHaveActed).length;
						assert.ok(acted <= 1, `[3] ${where}: ${acted} requests that may have acted`);
						if (acted === 1)
							assert.ok(
								judged.at(-1).mayHaveActed,
								`[3] ${where}: sent again after it may have acted`,
							);
						if (testCase.operation === 'retryOtp' && number) {
							const sent = emulator().numbers()[id].otpSentCount;
							assert.ok(sent <= 1, `[3] ${where}: ${sent} OTPs sent for one item`);
						}
					}
					// And the node gives up only when it must: out of tries, or nothing it may repeat.
					if (requests.length < testCase.maxTries) {
						assert.ok(
							!allowed.includes(judged.at(-1).repeat),
							`[3] ${where}: stopped after ${requests.length} of ${testCase.maxTries} tries though it could repeat`,
						);
					}
				}
			},
			repeatable,
		);
	});
});
