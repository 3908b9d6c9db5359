// Invariant 1: every item reaches exactly one branch, once, paired to itself, in input order,
// under random batches and fault mixes (cases.mjs). Every case also checks 4 (no key, no OTP).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { WABA_ID } from '../../helpers/kaleyra.mjs';
import { useBatchProperties } from './cases.mjs';

describe('Invariants under random batches and fault mixes', () => {
	const { property } = useBatchProperties();

	it('1. every item reaches exactly one branch, once, paired to itself, in input order', async () => {
		await property(1, (testCase, { outputs, items }) => {
			assert.equal(outputs.length, items.length);
			for (const { item, json } of outputs) {
				// The output at pairedItem i is about input i, not a neighbour's.
				assert.equal(item.json.phoneNumberId, String(json.phoneNumberId), '[1 once] wrong pairing');
				assert.equal(item.json.wabaId, WABA_ID);
			}
		});
	});
});
