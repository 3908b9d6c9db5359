import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NODE_TYPE, nodeTypes, runKaleyraNode } from '../../helpers/engine.mjs';
import {
	MAPPED_PARAMETERS,
	NUMBERS,
	credentialsFor,
	itemFor,
	onlyItem,
	runOperation,
	useEmulator,
} from '../../helpers/kaleyra.mjs';

describe('Input checks, before any request', () => {
	const emulator = useEmulator();

	async function rejected(operation, overrides) {
		const result = await runOperation(emulator(), operation, [itemFor(NUMBERS.pending1, overrides)]);
		const item = onlyItem(result, 'failed');
		assert.equal(emulator().requests.length, 0, 'a rejected item must cost no request');
		assert.equal(item.json.error.code, 'INVALID_INPUT');
		assert.equal(item.json.error.httpStatus, null);
		assert.equal(item.json.error.retryable, false);
		assert.equal(item.json.attempts, 0);
		return item.json;
	}

	for (const [written, sent] of [
		['+91 97654 00001', '+919765400001'],
		['+91-97654-00001', '+919765400001'],
		['0091 (97654) 000.01', '+919765400001'],
	]) {
		it(`writes ${JSON.stringify(written)} as ${sent} and shows it as sent`, async () => {
			const item = itemFor(NUMBERS.pending1, { phoneNumber: written });
			const { json } = onlyItem(await runOperation(emulator(), 'verifyNumber', [item]), 'success');
			assert.equal(json.phoneNumber, sent);
			assert.equal(JSON.parse(emulator().requests[0].rawBody).phone_number, sent);
		});
	}

	// Each message says what is wrong and where; the hint says what to do.
	for (const [phoneNumber, rule] of [
		['919765400001', 'does not start with "+" (or 00) and a country code'],
		['+1234567', 'has 7 digits after the "+"; E.164 allows 8 to 15'],
		['+1234567890123456', 'has 16 digits after the "+"; E.164 allows 8 to 15'],
		['+0919765400001', 'has 0 right after the "+"; no country code starts with 0'],
		['+91 phone', 'has "p" at position 5, which is not a digit 0-9'],
		['', 'is empty'],
		['  ', 'is empty'],
		[null, 'is null, not text'],
		[42, 'does not start with "+" (or 00) and a country code'],
		[{ number: '+919765400001' }, 'is an object, not text'],
		['+٩١٩٧٦٥٤٠٠٠٠١', 'has the character U+0669 at position 2, which is not a digit 0-9'],
	]) {
		it(`rejects the phone number ${JSON.stringify(phoneNumber)}: "${rule}"`, async () => {
			const json = await rejected('verifyNumber', { phoneNumber });
			assert.deepEqual(json.error.fields, ['phoneNumber']);
			assert.equal(json.error.message, `phoneNumber ${rule}`);
			assert.match(json.error.hint, /country code/);
		});
	}

	// The OTP is never shown, not even the part that is wrong.
	for (const [otp, rule] of [
		['12345', 'has 5 digits; it needs exactly 6'],
		['1234567', 'has 7 digits; it needs exactly 6'],
		['12a456', 'has a character that is not a digit 0-9 at position 3'],
		['', 'is empty'],
		[12345, 'has 5 digits; it needs exactly 6'],
		[null, 'is null, not text'],
		['１２３４５６', 'has a character that is not a digit 0-9 at position 1'],
	]) {
		it(`rejects the OTP ${JSON.stringify(otp)}: "${rule}"`, async () => {
			const json = await rejected('verifyNumber', { otp });
			assert.deepEqual(json.error.fields, ['otp']);
			assert.equal(json.error.message, `otp ${rule}`);
			assert.match(json.error.hint, /6-digit/);
			assert.equal(json.otp, null);
			if (typeof otp === 'string' && otp.length > 1) {
				assert.ok(!JSON.stringify(json).includes(otp), 'the OTP is echoed');
			}
		});
	}

	it('says a JSON number OTP may have lost its leading zero', async () => {
		const json = await rejected('verifyNumber', { otp: 12345 });
		assert.match(json.error.hint, /JSON number drops leading zeros: keep the OTP quoted as text/);
	});

	// As a code is read out or shown: the separators between its digits are dropped.
	for (const written of ['123 456', '123-456', '12 34 56', '1-2-3-4-5-6', ' 123 - 456 ']) {
		it(`takes the OTP ${JSON.stringify(written)} as its six digits`, async () => {
			const item = itemFor(NUMBERS.pending1, { otp: written });
			onlyItem(await runOperation(emulator(), 'verifyNumber', [item]), 'success');
			assert.equal(JSON.parse(emulator().requests[0].rawBody).otp, NUMBERS.pending1.otp);
		});
	}

	for (const [otp, rule] of [
		['123 45', 'has 5 digits; it needs exactly 6'],
		['123_456', 'has a character that is not a digit 0-9 at position 4'],
		['-123456', 'has a character that is not a digit 0-9 at position 1'],
	]) {
		it(`still rejects the OTP ${JSON.stringify(otp)}: "${rule}"`, async () => {
			const json = await rejected('verifyNumber', { otp });
			assert.equal(json.error.message, `otp ${rule}`);
		});
	}

	it('takes an OTP that arrives as a 6-digit JSON number', async () => {
		const item = itemFor(NUMBERS.pending1, { otp: 123456 });
		onlyItem(await runOperation(emulator(), 'verifyNumber', [item]), 'success');
		assert.equal(JSON.parse(emulator().requests[0].rawBody).otp, '123456');
	});

	for (const [phoneNumberId, rule] of [
		['12ab', 'has "a" at position 3, where only digits 0-9 may be'],
		['', 'is empty'],
		['1 000', 'has a space at position 2, where only digits 0-9 may be'],
		[-5, 'has "-" at position 1, where only digits 0-9 may be'],
		[1.5, 'has "." at position 2, where only digits 0-9 may be'],
	]) {
		it(`rejects the phone number ID ${JSON.stringify(phoneNumberId)}: "${rule}"`, async () => {
			const json = await rejected('retryOtp', { phoneNumberId });
			assert.deepEqual(json.error.fields, ['phoneNumberId']);
			assert.equal(json.error.message, `phoneNumberId ${rule}`);
			assert.match(json.error.hint, /digits only/);
		});
	}

	it('refuses a phone number ID that lost digits as a JSON number', async () => {
		const json = await rejected('verifyNumber', { phoneNumberId: Number(NUMBERS.pendingLongId.id) });
		assert.deepEqual(json.error.fields, ['phoneNumberId']);
		assert.match(json.error.message, /too long for a JSON number to hold exactly: its last digits are already wrong/);
		assert.match(json.error.hint, /quoted as text/);
	});

	// Each hint's example is its own field's sample: a result shows the hint next to the real
	// wabaId, which the WABA ID's sample (766000000000001, the emulator's) would look like.
	it('gives each ID its own example in its hint and placeholder', async () => {
		const [idError, wabaError] = [
			(await rejected('verifyNumber', { phoneNumberId: 'x' })).error.hint,
			(await rejected('verifyNumber', { wabaId: 'x' })).error.hint,
		];
		assert.match(idError, /such as 678997654000001\./);
		assert.match(wabaError, /such as 766000000000001\./);
		const { properties } = nodeTypes.getByName(NODE_TYPE).description;
		for (const property of properties.filter(({ name }) => name === 'phoneNumberId'))
			assert.equal(property.placeholder, 'e.g. 678997654000001');
	});

	for (const wabaId of ['766-000', '', 'WABA1']) {
		it(`rejects the WABA ID ${JSON.stringify(wabaId)}`, async () => {
			const json = await rejected('verifyNumber', { wabaId });
			assert.deepEqual(json.error.fields, ['wabaId']);
		});
	}

	for (const [channel, rule] of [
		['email', 'is the text "email"; it needs to be SMS or VOICE'],
		['', 'is empty; it needs to be SMS or VOICE'],
		[null, 'is null; it needs to be SMS or VOICE'],
	]) {
		it(`rejects the channel ${JSON.stringify(channel)}: "${rule}"`, async () => {
			const json = await rejected('retryOtp', { channel });
			assert.deepEqual(json.error.fields, ['typeVerification']);
			assert.equal(json.error.message, `typeVerification ${rule}`);
		});
	}

	it('names every bad field of an item at once', async () => {
		const json = await rejected('verifyNumber', { wabaId: 'x', phoneNumber: '12', otp: '1' });
		assert.deepEqual(json.error.fields, ['wabaId', 'phoneNumber', 'otp']);
	});

	it('shortens a huge value in the message', async () => {
		const json = await rejected('verifyNumber', { phoneNumber: '9'.repeat(100_000) });
		assert.ok(json.error.message.length < 300, 'the message must not carry the whole value');
	});

	it('reports an expression that throws against its field', async () => {
		const result = await runKaleyraNode({
			parameters: { ...MAPPED_PARAMETERS.verifyNumber, phoneNumber: "={{ $('Missing Node').item.json.phone }}" },
			items: [itemFor(NUMBERS.pending1)],
			credentials: credentialsFor(emulator()),
		});
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'INVALID_INPUT');
		assert.deepEqual(error.fields, ['phoneNumber']);
		assert.match(error.message, /phoneNumber could not be read: Referenced node/);
		assert.equal(emulator().requests.length, 0);
	});

	it('gives Error items more keys than error and message, so n8n keeps them on this output', async () => {
		const json = await rejected('verifyNumber', { otp: '1' });
		const keys = Object.keys(json);
		assert.ok(keys.some((key) => !['error', 'message', 'details'].includes(key)));
		assert.equal(json.success, false);
	});
});
