import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runKaleyraNode } from '../helpers/engine.mjs';
import {
	MAPPED_PARAMETERS,
	NUMBERS,
	credentialsFor,
	itemFor,
	onlyItem,
	runOperation,
	useEmulator,
} from '../helpers/kaleyra.mjs';

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

	for (const phoneNumber of [
		'919765400001',
		'+1234567',
		'+1234567890123456',
		'+0919765400001',
		'+91 phone',
		'',
		'  ',
		null,
		42,
		{ number: '+919765400001' },
		'+٩١٩٧٦٥٤٠٠٠٠١',
	]) {
		it(`rejects the phone number ${JSON.stringify(phoneNumber)}, naming the field and the rule`, async () => {
			const json = await rejected('verifyNumber', { phoneNumber });
			assert.deepEqual(json.error.fields, ['phoneNumber']);
			assert.match(json.error.message, /^phoneNumber /);
			assert.match(json.error.message, /E\.164|required|must be text/);
			assert.match(json.error.hint, /country code/);
		});
	}

	for (const otp of ['12345', '1234567', '12a456', '', 12345, null, '１２３４５６']) {
		it(`rejects the OTP ${JSON.stringify(otp)}`, async () => {
			const json = await rejected('verifyNumber', { otp });
			assert.deepEqual(json.error.fields, ['otp']);
			assert.match(json.error.message, /otp must (be exactly 6 digits|be text)/);
			assert.match(json.error.hint, /6-digit/);
			assert.equal(json.otp, null);
		});
	}

	it('takes an OTP that arrives as a 6-digit JSON number', async () => {
		const item = itemFor(NUMBERS.pending1, { otp: 123456 });
		onlyItem(await runOperation(emulator(), 'verifyNumber', [item]), 'success');
		assert.equal(JSON.parse(emulator().requests[0].rawBody).otp, '123456');
	});

	for (const phoneNumberId of ['12ab', '', '1 000', -5, 1.5]) {
		it(`rejects the phone number ID ${JSON.stringify(phoneNumberId)}`, async () => {
			const json = await rejected('retryOtp', { phoneNumberId });
			assert.deepEqual(json.error.fields, ['phoneNumberId']);
			assert.match(json.error.message, /phoneNumberId (must contain digits only|is required)/);
		});
	}

	it('refuses a phone number ID that lost digits as a JSON number', async () => {
		const json = await rejected('verifyNumber', { phoneNumberId: Number(NUMBERS.pendingLongId.id) });
		assert.deepEqual(json.error.fields, ['phoneNumberId']);
		assert.match(json.error.message, /past what a JavaScript number holds exactly/);
		assert.match(json.error.hint, /quoted as text/);
	});

	for (const wabaId of ['766-000', '', 'WABA1']) {
		it(`rejects the WABA ID ${JSON.stringify(wabaId)}`, async () => {
			const json = await rejected('verifyNumber', { wabaId });
			assert.deepEqual(json.error.fields, ['wabaId']);
		});
	}

	for (const channel of ['email', '', null]) {
		it(`rejects the channel ${JSON.stringify(channel)}`, async () => {
			const json = await rejected('retryOtp', { channel });
			assert.deepEqual(json.error.fields, ['typeVerification']);
			assert.match(json.error.message, /must be SMS or VOICE/);
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
