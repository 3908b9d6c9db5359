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

function otpSentCount(emulator, number) {
	return emulator.numbers()[number.id].otpSentCount;
}

describe('Retry OTP', () => {
	const emulator = useEmulator();

	it('asks for a new code and sends Kaleyra the documented request', async () => {
		const result = await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.pending1, { channel: 'voice' })]);
		const item = onlyItem(result, 'success');
		assert.deepEqual(item.json, {
			success: true,
			outcome: 'A new code was sent by voice call',
			operation: 'retryOtp',
			wabaId: WABA_ID,
			phoneNumberId: NUMBERS.pending1.id,
			phoneNumber: NUMBERS.pending1.phoneNumber,
			channel: 'VOICE',
			code: 'WA200',
			message: 'Request Processed Successfully',
			data: {},
			kaleyraData: true,
			attempts: 1,
		});
		assert.deepEqual(item.pairedItem, { item: 0 });

		const [request] = emulator().requests;
		assertPostedTo(request, 'retry_otp', {
			id: NUMBERS.pending1.id,
			phone_number: NUMBERS.pending1.phoneNumber,
			type_verification: 'VOICE',
		});
		assert.equal(otpSentCount(emulator(), NUMBERS.pending1), 1);
		assertNoApiKey(result.run.data);
	});

	it('sends the 17-digit phone number ID as a string', async () => {
		const result = await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.pendingLongId)]);
		onlyItem(result, 'success');
		assert.equal(emulator().requests[0].idType, 'string');
		assert.equal(JSON.parse(emulator().requests[0].rawBody).id, NUMBERS.pendingLongId.id);
	});

	it('uses SMS when the channel parameter keeps its default', async () => {
		const result = await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.pending2)]);
		assert.equal(onlyItem(result, 'success').json.channel, 'SMS');
	});

	it('puts a bad API key on Error as RBC001 and sends no code', async () => {
		const credentials = credentialsFor(emulator(), { apiKey: 'not-the-key' });
		const result = await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.pending1)], { credentials });
		assert.equal(onlyItem(result, 'failed').json.error.code, 'RBC001');
		assert.equal(otpSentCount(emulator(), NUMBERS.pending1), 0);
	});

	it('puts a WABA ID of another account on Error as WA401', async () => {
		const item = itemFor(NUMBERS.pending1, { wabaId: '999000000000009' });
		const { error } = onlyItem(await runOperation(emulator(), 'retryOtp', [item]), 'failed').json;
		assert.equal(error.code, 'WA401');
		assert.deepEqual(error.fields, ['wabaId']);
	});

	for (const [answer, fields, hint] of [
		['badPayload', [], /its message says why/],
		['badTypeVerification', ['typeVerification'], /SMS or VOICE/],
		['invalidPhoneNumber', ['phoneNumber'], /country code/],
	]) {
		it(`maps Kaleyra's documented WA400 ${answer} to Error with the field and a hint`, async () => {
			emulator().setFaults({ queue: [`answer:${answer}`] });
			const { error } = onlyItem(
				await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.pending1)]),
				'failed',
			).json;
			assert.equal(error.code, 'WA400');
			assert.equal(error.httpStatus, 400);
			assert.deepEqual(error.fields, fields);
			assert.match(error.hint, hint);
		});
	}

	it('treats "already approved" as success by default, marked as such', async () => {
		const { json } = onlyItem(
			await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.approved)]),
			'success',
		);
		assert.equal(json.alreadyApproved, true);
		assert.equal(json.code, undefined);
		assert.equal(json.kaleyraCode, 'WA500');
	});

	it('sends "already approved" to Error when the option is off', async () => {
		const result = await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.approved)], {
			options: { treatAlreadyApprovedAsSuccess: false },
		});
		assert.equal(onlyItem(result, 'failed').json.error.code, 'WA500');
	});

	it('retries "Please try again later" as Kaleyra asks, then leaves it on Error as retryable', async () => {
		const result = await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.unavailable)], {
			options: { retryDelay: 1 },
		});
		const { error, attempts } = onlyItem(result, 'failed').json;
		assert.equal(attempts, 3, 'the default is three tries');
		assert.equal(emulator().requests.length, 3);
		assert.equal(error.code, 'WA500');
		assert.equal(error.retryable, true);
	});
});
