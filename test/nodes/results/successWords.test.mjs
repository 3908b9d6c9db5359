// A Success item says in plain words what happened (`outcome`, right after `success`), per
// operation and case; `code` is only ever Kaleyra's yes, so an already approved number does not
// show WA500 as its code; `data` is an object in every dialect, Kaleyra's raw value kept whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NUMBERS, WABA_ID, itemFor, onlyItem, runOperation, useEmulator } from '../../helpers/kaleyra.mjs';

const NEW_NUMBER = '+919765409999';
const addItem = (overrides = {}) => ({
	json: { wabaId: WABA_ID, phoneNumber: NEW_NUMBER, countryCode: '91', displayName: 'Acme Travel', channel: 'SMS', ...overrides },
});

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The one Success item of a single-item run, after checking that its words lead. */
async function successOf(emulator, operation, item, options) {
	const { json } = onlyItem(await runOperation(emulator, operation, [item], { options }), 'success');
	assert.deepEqual(Object.keys(json).slice(0, 2), ['success', 'outcome']);
	assert.ok(isObject(json.data), `data is ${JSON.stringify(json.data)}`);
	return json;
}

describe('Success items in plain words', () => {
	const emulator = useEmulator();

	const CASES = [
		['Verify Number', 'verifyNumber', () => itemFor(NUMBERS.pending1), 'Number verified'],
		[
			'Verify Number, already verified',
			'verifyNumber',
			() => itemFor(NUMBERS.approved),
			'Number was already verified (Kaleyra: already approved)',
		],
		['Retry OTP by SMS', 'retryOtp', () => itemFor(NUMBERS.pending1), 'A new code was sent by SMS'],
		['Retry OTP by voice', 'retryOtp', () => itemFor(NUMBERS.pending1, { channel: 'voice' }), 'A new code was sent by voice call'],
		[
			'Retry OTP, already verified',
			'retryOtp',
			() => itemFor(NUMBERS.approved),
			'No code sent: the number is already verified (Kaleyra: already approved)',
		],
		['Add Number', 'addNumber', () => addItem(), 'Number added; a code was sent by SMS'],
		[
			'Add Number, already on the WABA',
			'addNumber',
			() => addItem({ phoneNumber: NUMBERS.pending2.phoneNumber }),
			'Number was already on the WABA; its ID was found in the list (no code sent)',
		],
		[
			'Get Number Details',
			'getNumberDetails',
			() => ({ json: { phoneNumber: NUMBERS.approved.phoneNumber } }),
			'Details of the number read',
		],
	];
	for (const [what, operation, item, words] of CASES) {
		it(`${what}: "${words}"`, async () => {
			assert.equal((await successOf(emulator(), operation, item())).outcome, words);
		});
	}

	it('Get Many Numbers: each number says where it came from', async () => {
		const result = await runOperation(emulator(), 'getManyNumbers', [{ json: { wabaId: WABA_ID } }]);
		assert.ok(result.success.length > 1);
		for (const { json } of result.success) assert.equal(json.outcome, "Read from the WABA's list of numbers");
	});

	it('an add whose lost first try was sent again says a code may have gone out', async () => {
		emulator().setFaults({ queue: ['reset'] });
		const json = await successOf(emulator(), 'addNumber', addItem(), { retryUncertain: true, retryDelay: 1 });
		assert.equal(json.outcome, 'Number was already on the WABA; its ID was found in the list (an earlier try may have sent a code)');
	});

	for (const operation of ['verifyNumber', 'retryOtp']) {
		it(`${operation}, already verified: Kaleyra's WA500 and its [] kept as Kaleyra's, not as the item's code and data`, async () => {
			const json = await successOf(emulator(), operation, itemFor(NUMBERS.approved));
			assert.equal(json.alreadyApproved, true);
			assert.equal('code' in json, false);
			assert.equal(json.kaleyraCode, 'WA500');
			assert.equal(json.message, 'wa phone number already approved');
			assert.deepEqual(json.data, {});
			assert.deepEqual(json.kaleyraData, []);
		});
	}

	it('Add Number, already on the WABA: the add\'s WA400 is kaleyraCode, the list entry is data', async () => {
		const json = await successOf(emulator(), 'addNumber', addItem({ phoneNumber: NUMBERS.pending2.phoneNumber }));
		assert.equal('code' in json, false);
		assert.equal(json.kaleyraCode, 'WA400');
		assert.equal(json.data.id, NUMBERS.pending2.id);
		assert.equal('kaleyraData' in json, false);
	});
});

describe('Success data of one shape in every dialect', () => {
	const emulator = useEmulator();

	for (const accepted of ['WA200', 'WA202']) {
		it(`Verify Number (${accepted}): the phone number ID Kaleyra sends as data is kept as kaleyraData`, async () => {
			emulator().setDialect({ accepted });
			const json = await successOf(emulator(), 'verifyNumber', itemFor(NUMBERS.pending1));
			assert.equal(json.code, accepted);
			assert.deepEqual(json.data, {});
			assert.equal(json.kaleyraData, NUMBERS.pending1.id);
		});

		it(`Retry OTP (${accepted}): Kaleyra's data true is kept as kaleyraData`, async () => {
			emulator().setDialect({ accepted });
			const json = await successOf(emulator(), 'retryOtp', itemFor(NUMBERS.pending1));
			assert.deepEqual(json.data, {});
			assert.equal(json.kaleyraData, true);
		});
	}

	for (const addShape of ['object', 'phoneNumberId', 'bare']) {
		it(`Add Number (addShape ${addShape}): data an object, the ID found, nothing lost`, async () => {
			emulator().setDialect({ addShape });
			const json = await successOf(emulator(), 'addNumber', addItem());
			assert.match(json.phoneNumberId, /^\d{14,}$/);
			if (addShape === 'bare') {
				assert.deepEqual(json.data, {});
				assert.equal(json.kaleyraData, json.phoneNumberId);
			} else {
				assert.equal('kaleyraData' in json, false, 'an object is data itself');
				assert.equal(json.data.id ?? json.data.phone_number_id, json.phoneNumberId);
			}
		});
	}

	for (const listShape of ['array', 'numbers', 'phone_numbers', 'data']) {
		it(`Get Many Numbers (listShape ${listShape}): each number's data is its list entry, an object`, async () => {
			emulator().setDialect({ listShape });
			const result = await runOperation(emulator(), 'getManyNumbers', [{ json: { wabaId: WABA_ID } }]);
			assert.ok(result.success.length > 1);
			for (const { json } of result.success) {
				assert.ok(isObject(json.data));
				assert.equal(json.data.id, json.phoneNumberId);
				assert.equal('kaleyraData' in json, false);
			}
		});
	}

	for (const health of ['strings', 'booleans']) {
		it(`Get Number Details (health ${health}): data is Kaleyra's object, whole`, async () => {
			emulator().setDialect({ health });
			const json = await successOf(emulator(), 'getNumberDetails', { json: { phoneNumber: NUMBERS.approved.phoneNumber } });
			assert.equal(json.data.status, json.status);
			assert.equal('kaleyraData' in json, false);
		});
	}
});
