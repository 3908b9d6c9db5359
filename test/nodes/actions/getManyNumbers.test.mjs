import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
	DEFAULT_ACCOUNT,
	NUMBERS,
	WABA_ID,
	assertNoApiKey,
	runOperation,
	useEmulator,
} from '../../helpers/kaleyra.mjs';

describe('Get Many Numbers', () => {
	const emulator = useEmulator();

	it('gives one item per number, each paired with the input item that asked', async () => {
		const result = await runOperation(emulator(), 'getManyNumbers', [
			{ json: { wabaId: WABA_ID } },
			{ json: { wabaId: 'not digits' } },
			{ json: { wabaId: WABA_ID } },
		]);
		const count = Object.keys(NUMBERS).length;
		assert.equal(result.success.length, 2 * count);
		assert.deepEqual(
			result.success.map(({ pairedItem }) => pairedItem.item),
			[...Array(count).fill(0), ...Array(count).fill(2)],
		);
		assert.equal(result.failed.length, 1);
		assert.deepEqual(result.failed[0].pairedItem, { item: 1 });
		assert.equal(result.failed[0].json.error.code, 'INVALID_INPUT');

		const first = result.success.find(({ json }) => json.phoneNumberId === NUMBERS.pending1.id).json;
		assert.equal(first.operation, 'getManyNumbers');
		assert.equal(first.wabaId, WABA_ID);
		assert.equal(first.phoneNumber, NUMBERS.pending1.phoneNumber);
		assert.equal(first.status, first.data.status);
		assert.equal(first.data.id, NUMBERS.pending1.id, "Kaleyra's entry is kept whole");

		const [request] = emulator().requests;
		assert.equal(request.method, 'GET');
		assert.equal(request.path, `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA_ID}/number`);
		assert.equal(request.rawBody, '');
		assert.equal(emulator().requests.length, 2);
		assertNoApiKey(result.run.data);
	});

	it('shows a verified number as verified', async () => {
		await runOperation(emulator(), 'verifyNumber', [
			{
				json: {
					wabaId: WABA_ID,
					phoneNumberId: NUMBERS.pending2.id,
					phoneNumber: NUMBERS.pending2.phoneNumber,
					otp: NUMBERS.pending2.otp,
				},
			},
		]);
		const result = await runOperation(emulator(), 'getManyNumbers', [{ json: { wabaId: WABA_ID } }]);
		const after = result.success.find(({ json }) => json.phoneNumberId === NUMBERS.pending2.id).json;
		const before = result.success.find(({ json }) => json.phoneNumberId === NUMBERS.pending1.id).json;
		assert.notEqual(after.status, before.status);
	});

	it('is safe to repeat: a lost answer is asked for again, and the item says so', async () => {
		emulator().setFaults({ queue: ['midBodyReset'] });
		const result = await runOperation(emulator(), 'getManyNumbers', [{ json: { wabaId: WABA_ID } }], {
			options: { retryDelay: 1 },
		});
		assert.equal(result.failed.length, 0);
		assert.ok(result.success.every(({ json }) => json.attempts === 2));
		assert.equal(emulator().requests.length, 2);

		emulator().reset();
		emulator().setFaults({ queue: ['midBodyReset'] });
		const once = await runOperation(emulator(), 'getManyNumbers', [{ json: { wabaId: WABA_ID } }], {
			options: { maxTries: 1 },
		});
		const { error } = once.failed[0].json;
		assert.equal(error.code, 'CONNECTION_LOST');
		assert.equal(error.retryable, true, 'a read is safe to send again');
	});

	it('reports a WABA that is not the account’s as WA401', async () => {
		const result = await runOperation(emulator(), 'getManyNumbers', [{ json: { wabaId: '766000000000999' } }]);
		assert.equal(result.success.length, 0);
		assert.equal(result.failed[0].json.error.code, 'WA401');
	});
});
