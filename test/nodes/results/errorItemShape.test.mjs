// An Error item leads with why it failed: n8n's Table view shows columns in key order, and the
// repeated input fields would otherwise push `error` off-screen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NUMBERS, itemFor, onlyItem, runOperation, useEmulator } from '../../helpers/kaleyra.mjs';

describe('Error items in the editor', () => {
	const emulator = useEmulator();

	for (const [why, item] of [
		['a wrong OTP (Kaleyra refused it)', itemFor(NUMBERS.pending1, { otp: '000001' })],
		['an OTP of letters (refused before sending)', itemFor(NUMBERS.pending1, { otp: 'abcdef' })],
	]) {
		it(`put error right after success, for ${why}`, async () => {
			const { json } = onlyItem(await runOperation(emulator(), 'verifyNumber', [item]), 'failed');
			assert.deepEqual(Object.keys(json).slice(0, 2), ['success', 'error']);
			assert.equal(json.success, false);
			assert.equal(typeof json.error.code, 'string');
		});
	}
});
