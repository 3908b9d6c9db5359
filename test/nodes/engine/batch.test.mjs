import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NUMBERS, assertNoApiKey, itemFor, runOperation, useEmulator } from '../../helpers/kaleyra.mjs';

// Each kind of input, with the branch and code it must end on.
const KINDS = [
	// pending1 is verified by its first item; later ones find it already approved (WA500).
	{ item: () => itemFor(NUMBERS.pending1), branch: 'success', code: /^WA(200|500)$/, reachesKaleyra: true },
	{ item: () => itemFor(NUMBERS.approved), branch: 'success', code: /^WA500$/, reachesKaleyra: true },
	{ item: () => itemFor(NUMBERS.unavailable), branch: 'failed', code: /^WA500$/, reachesKaleyra: true },
	{ item: () => itemFor(NUMBERS.pending2, { otp: '000000' }), branch: 'failed', code: /^WA400$/, reachesKaleyra: true },
	{ item: () => itemFor(NUMBERS.pending2, { wabaId: '1' }), branch: 'failed', code: /^WA401$/, reachesKaleyra: true },
	{ item: () => itemFor(NUMBERS.pending2, { phoneNumber: 'call me' }), branch: 'failed', code: /^INVALID_INPUT$/, reachesKaleyra: false },
	{ item: () => itemFor(NUMBERS.pendingLongId, { otp: '12' }), branch: 'failed', code: /^INVALID_INPUT$/, reachesKaleyra: false },
];

describe('A mixed batch', () => {
	const emulator = useEmulator();

	it('sends every item to exactly one branch, in input order, with its pairedItem', async () => {
		const count = 350;
		const kinds = Array.from({ length: count }, (_, index) => KINDS[(index * 5 + (index >> 3)) % KINDS.length]);
		const items = kinds.map((kind, index) => {
			const item = kind.item();
			item.json.rowNumber = index;
			return item;
		});

		// Retries stay on (WA500 "try again later" is retried) but wait only milliseconds.
		const options = { retryDelay: 1, maxRetryDelay: 10 };
		const result = await runOperation(emulator(), 'verifyNumber', items, { options });
		assert.equal(result.error, undefined);
		assert.equal(result.success.length + result.failed.length, count, 'no item lost or doubled');

		const seen = new Set();
		for (const branch of ['success', 'failed']) {
			let previous = -1;
			for (const { json, pairedItem } of result[branch]) {
				const index = pairedItem.item;
				assert.ok(index > previous, `${branch} keeps input order`);
				previous = index;
				assert.ok(!seen.has(index), `item ${index} left twice`);
				seen.add(index);
				const expected = kinds[index];
				assert.equal(branch, expected.branch, `item ${index} on the wrong branch`);
				// An already approved Success keeps Kaleyra's WA500 as kaleyraCode, never as its code.
				const code = branch === 'success' ? (json.code ?? json.kaleyraCode) : json.error.code;
				assert.match(code, expected.code, `item ${index} code`);
				if (branch === 'success') assert.equal(json.alreadyApproved, json.kaleyraCode === 'WA500');
				assert.equal(json.phoneNumberId === null || json.phoneNumberId === items[index].json.phoneNumberId, true);
			}
		}
		assert.equal(seen.size, count);

		const outputs = [...result.success, ...result.failed];
		const attempts = outputs.reduce((sum, { json }) => sum + json.attempts, 0);
		assert.equal(emulator().requests.length, attempts, 'every request is counted on its item');
		for (const { json, pairedItem } of outputs) {
			assert.equal(json.attempts > 0, kinds[pairedItem.item].reachesKaleyra, 'only valid items cost a request');
		}
		const firstPending = result.success.find(({ json }) => json.phoneNumberId === NUMBERS.pending1.id);
		assert.equal(firstPending.json.alreadyApproved, false);
		assertNoApiKey(result.run);
	});
});
