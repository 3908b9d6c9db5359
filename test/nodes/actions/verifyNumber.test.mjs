import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
	NUMBERS,
	WABA_ID,
	assertNoApiKey,
	assertPostedTo,
	credentialsFor,
	itemFor,
	onlyItem,
	runOperation,
	useEmulator,
} from '../../helpers/kaleyra.mjs';

describe('Verify Number', () => {
	const emulator = useEmulator();

	it('verifies a number and sends Kaleyra the documented request', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)]);
		const item = onlyItem(result, 'success');
		assert.deepEqual(item.json, {
			success: true,
			outcome: 'Number verified',
			operation: 'verifyNumber',
			wabaId: WABA_ID,
			phoneNumberId: NUMBERS.pending1.id,
			phoneNumber: NUMBERS.pending1.phoneNumber,
			otp: '****56',
			alreadyApproved: false,
			code: 'WA200',
			message: 'Request Processed Successfully',
			data: {},
			kaleyraData: NUMBERS.pending1.id,
			attempts: 1,
		});
		assert.deepEqual(item.pairedItem, { item: 0 });

		const [request] = emulator().requests;
		assertPostedTo(request, 'verify', {
			id: NUMBERS.pending1.id,
			phone_number: NUMBERS.pending1.phoneNumber,
			otp: NUMBERS.pending1.otp,
		});
		assertNoApiKey(result.run.data);
	});

	it('sends the phone number ID as a JSON string, so 17 digits survive', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pendingLongId)]);
		assert.equal(onlyItem(result, 'success').json.kaleyraData, NUMBERS.pendingLongId.id);
		const [request] = emulator().requests;
		assert.equal(request.idType, 'string');
		assert.match(request.rawBody, new RegExp(`"id":"${NUMBERS.pendingLongId.id}"`));
	});

	it('takes a phone number ID that arrives as a JSON number and sends it as a string', async () => {
		const item = itemFor(NUMBERS.pending1, { phoneNumberId: Number(NUMBERS.pending1.id) });
		const result = await runOperation(emulator(), 'verifyNumber', [item]);
		assert.equal(onlyItem(result, 'success').json.phoneNumberId, NUMBERS.pending1.id);
		assert.equal(emulator().requests[0].idType, 'string');
	});

	it('keeps the leading zero of an OTP', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pendingZeroOtp)]);
		assert.equal(onlyItem(result, 'success').json.otp, '****45');
		assert.equal(JSON.parse(emulator().requests[0].rawBody).otp, '012345');
	});

	it('puts a bad SID or API key on Error as RBC001, naming the credential fields and the region', async () => {
		const credentials = credentialsFor(emulator(), { apiKey: 'not-the-key' });
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], { credentials });
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'RBC001');
		assert.equal(error.httpStatus, 401);
		assert.equal(error.message, 'Incorrect SID or API key.');
		assert.deepEqual(error.fields, ['credentials.sid', 'credentials.apiKey', 'credentials.region']);
		assert.match(error.hint, /SID and API key/);
		assert.match(error.hint, /region/);
		assert.equal(error.retryable, false);
	});

	it('puts a WABA ID of another account on Error as WA401', async () => {
		const item = itemFor(NUMBERS.pending1, { wabaId: '999000000000009' });
		const { json } = onlyItem(await runOperation(emulator(), 'verifyNumber', [item]), 'failed');
		assert.equal(json.error.code, 'WA401');
		assert.equal(json.error.httpStatus, 401);
		assert.deepEqual(json.error.fields, ['wabaId']);
		assert.match(json.error.hint, /does not belong/);
		assert.equal(json.wabaId, '999000000000009');
	});

	for (const [answer, fields, hint] of [
		['badPayload', [], /its message says why/],
		['badOtpFormat', ['otp'], /6-digit code/],
		['invalidPhoneNumber', ['phoneNumber'], /country code/],
	]) {
		it(`maps Kaleyra's documented WA400 ${answer} to Error with the field and a hint`, async () => {
			emulator().setFaults({ queue: [`answer:${answer}`] });
			const { json } = onlyItem(
				await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)]),
				'failed',
			);
			assert.equal(json.error.code, 'WA400');
			assert.equal(json.error.httpStatus, 400);
			assert.deepEqual(json.error.fields, fields);
			assert.match(json.error.hint, hint);
			assert.equal(json.error.retryable, false);
		});
	}

	it('sends a wrong OTP to Error with a hint to ask for a new code', async () => {
		const item = itemFor(NUMBERS.pending1, { otp: '999999' });
		const { json } = onlyItem(await runOperation(emulator(), 'verifyNumber', [item]), 'failed');
		assert.equal(json.error.code, 'WA400');
		assert.deepEqual(json.error.fields, ['otp']);
		assert.match(json.error.hint, /Retry OTP/);
	});

	it('treats "already approved" as success by default, marked as such', async () => {
		const { json } = onlyItem(
			await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.approved)]),
			'success',
		);
		assert.equal(json.success, true);
		assert.equal(json.alreadyApproved, true);
		assert.equal(json.code, undefined);
		assert.equal(json.kaleyraCode, 'WA500');
		assert.equal(json.message, 'wa phone number already approved');
	});

	it('sends "already approved" to Error when the option is off', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.approved)], {
			options: { treatAlreadyApprovedAsSuccess: false },
		});
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'WA500');
		assert.equal(error.httpStatus, 500);
		assert.equal(error.retryable, false);
		assert.match(error.hint, /already verified/);
	});

	it('retries "Please try again later" as Kaleyra asks, then leaves it on Error as retryable', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.unavailable)], {
			options: { retryDelay: 1 },
		});
		const { error, attempts } = onlyItem(result, 'failed').json;
		assert.equal(attempts, 3, 'the default is three tries');
		assert.equal(emulator().requests.length, 3);
		assert.equal(error.code, 'WA500');
		assert.equal(error.message, 'Please try again later');
		assert.equal(error.retryable, true);
		assert.match(error.hint, /intervals of 5, 10, and 15 minutes/);
	});
});
