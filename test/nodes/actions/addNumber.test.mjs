import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startAnsweringServer } from '../../helpers/answeringServer.mjs';

import {
	NUMBERS,
	WABA_ID,
	assertNoApiKey,
	assertPostedTo,
	onlyItem,
	runOperation,
	useEmulator,
} from '../../helpers/kaleyra.mjs';
import { startKaleyraEmulator } from '../../../emulator/kaleyra-emulator.mjs';

const NEW_NUMBER = '+919765409999';

const addItem = (overrides = {}) => ({
	json: {
		wabaId: WABA_ID,
		phoneNumber: NEW_NUMBER,
		countryCode: '91',
		displayName: 'Acme Travel',
		channel: 'SMS',
		...overrides,
	},
});

describe('Add Number', () => {
	const emulator = useEmulator();

	it('adds the number with the documented request and returns its phone number ID, as Verify Number names it', async () => {
		const result = await runOperation(emulator(), 'addNumber', [addItem({ channel: 'voice' })]);
		const { json, pairedItem } = onlyItem(result, 'success');
		assert.deepEqual(pairedItem, { item: 0 });
		assert.match(json.phoneNumberId, /^\d{15,}$/);
		assert.deepEqual({ ...json, phoneNumberId: undefined, data: undefined }, {
			success: true,
			outcome: 'Number added; a code was sent by voice call',
			operation: 'addNumber',
			wabaId: WABA_ID,
			phoneNumber: NEW_NUMBER,
			countryCode: '91',
			displayName: 'Acme Travel',
			channel: 'VOICE',
			code: 'WA200',
			message: 'Request Processed Successfully',
			phoneNumberId: undefined,
			alreadyExisted: false,
			data: undefined,
			attempts: 1,
		});
		assert.equal(json.data.id, json.phoneNumberId, "Kaleyra's data is kept whole");

		const [request] = emulator().requests;
		assertPostedTo(request, 'add', {
			phone_number: '9765409999',
			name: 'Acme Travel',
			verification_type: 'VOICE',
			country_code: '91',
		});
		assertNoApiKey(result.run.data);
	});

	it('chains into Verify Number: the OTP the phone got verifies the number it added', async () => {
		const added = onlyItem(await runOperation(emulator(), 'addNumber', [addItem()]), 'success').json;
		const [message] = emulator().otps();
		assert.equal(message.phoneNumber, NEW_NUMBER);
		const verified = await runOperation(emulator(), 'verifyNumber', [
			{ json: { wabaId: WABA_ID, phoneNumberId: added.phoneNumberId, phoneNumber: NEW_NUMBER, otp: message.otp } },
		]);
		assert.equal(onlyItem(verified, 'success').json.code, 'WA200');
	});

	for (const [what, overrides, field] of [
		['a calling code that does not start the number', { countryCode: '44' }, 'countryCode'],
		['a calling code with a letter', { countryCode: '9a' }, 'countryCode'],
		['a display name of two characters', { displayName: 'Ab' }, 'displayName'],
		['a number without its country code', { phoneNumber: '9765409999' }, 'phoneNumber'],
		['an unknown channel', { channel: 'email' }, 'typeVerification'],
	]) {
		it(`refuses ${what} before sending anything`, async () => {
			const result = await runOperation(emulator(), 'addNumber', [addItem(overrides)]);
			const { error, attempts } = onlyItem(result, 'failed').json;
			assert.equal(error.code, 'INVALID_INPUT');
			assert.deepEqual(error.fields, [field]);
			assert.equal(attempts, 0);
			assert.equal(emulator().requests.length, 0);
		});
	}

	for (const [what, displayName, char, position] of [
		['a CR LF that would start a new header', 'Acme\r\nX-Injected: 1', 'U+000D', 5],
		['a NUL', 'Acme\u0000Travel', 'U+0000', 5],
		['three NULs alone', '\u0000\u0000\u0000', 'U+0000', 1],
		['a zero-width space', 'Acme\u200bTravel', 'U+200B', 5],
		['a right-to-left override', 'Acme\u202eevil', 'U+202E', 5],
		['a byte order mark inside', 'Acme\ufeffTravel', 'U+FEFF', 5],
		['a tab', 'Acme\tTravel', 'U+0009', 5],
	]) {
		it(`refuses a display name with ${what}, naming the field and the character, before sending anything`, async () => {
			const result = await runOperation(emulator(), 'addNumber', [addItem({ displayName })]);
			const { error, attempts } = onlyItem(result, 'failed').json;
			assert.equal(error.code, 'INVALID_INPUT');
			assert.deepEqual(error.fields, ['displayName']);
			assert.equal(
				error.message,
				`displayName has the character ${char} at position ${position}, a control, format or direction character that a name cannot hold`,
			);
			assert.equal(attempts, 0);
			assert.equal(emulator().requests.length, 0);
		});
	}

	for (const displayName of ['Café Müller', '株式会社アクメ', 'می\u200cخواهم', 'क्\u200dष Travels', 'Ācme Ωmega']) {
		it(`sends the display name ${JSON.stringify(displayName)} unchanged`, async () => {
			const result = await runOperation(emulator(), 'addNumber', [addItem({ displayName })]);
			assert.equal(onlyItem(result, 'success').json.displayName, displayName);
			assert.equal(JSON.parse(emulator().requests[0].rawBody).name, displayName);
		});
	}

	it('recovers a number already in the WABA: its phone number ID from the list, with reads only', async () => {
		const number = NUMBERS.pending2;
		const result = await runOperation(emulator(), 'addNumber', [addItem({ phoneNumber: number.phoneNumber })]);
		const { json } = onlyItem(result, 'success');
		assert.equal(json.phoneNumberId, number.id);
		assert.equal(typeof json.phoneNumberId, 'string');
		assert.equal(json.alreadyExisted, true);
		assert.equal(json.codeMayHaveBeenSent, false);
		// Kaleyra's refusal of the add, kept as Kaleyra's: the item's outcome says what happened.
		assert.equal(json.code, undefined);
		assert.equal(json.kaleyraCode, 'WA400');
		assert.equal(json.message, 'phone number already exists');
		assert.equal(json.data.id, number.id, "the list's entry, whole");
		assert.equal(json.attempts, 2);
		assert.deepEqual(
			emulator().requests.map(({ method, path }) => `${method} ${path.split('/whatsapp/')[1]}`),
			[`POST ${WABA_ID}/number/add`, `GET ${WABA_ID}/number`],
		);
		assert.equal(emulator().otps().length, 0, 'no code was sent');
	});

	it('keeps the ID when a lost answer is retried (Retry When Delivery Is Uncertain) or the add runs again', async () => {
		emulator().setFaults({ queue: ['reset'] });
		const retried = await runOperation(emulator(), 'addNumber', [addItem()], {
			options: { retryUncertain: true, retryDelay: 1 },
		});
		const first = onlyItem(retried, 'success').json;
		assert.equal(first.alreadyExisted, true, 'the first add had reached Kaleyra');
		assert.equal(first.codeMayHaveBeenSent, true, 'the lost first add sent a code');
		assert.match(first.phoneNumberId, /^\d{15,}$/);
		assert.equal(emulator().numbers()[first.phoneNumberId].phoneNumber, NEW_NUMBER);
		assert.equal(first.attempts, 3);

		const again = onlyItem(await runOperation(emulator(), 'addNumber', [addItem()]), 'success').json;
		assert.equal(again.phoneNumberId, first.phoneNumberId);
		assert.equal(again.alreadyExisted, true);
		assert.equal(again.codeMayHaveBeenSent, false);
		assert.equal(emulator().otps().length, 1, 'one code in all');
	});

	it('says no code may have been sent when the earlier try could not have reached Kaleyra', async () => {
		emulator().setFaults({ queue: ['wa500TryLater'] });
		const result = await runOperation(emulator(), 'addNumber', [addItem({ phoneNumber: NUMBERS.pending2.phoneNumber })], {
			options: { retryDelay: 1 },
		});
		const { json } = onlyItem(result, 'success');
		assert.equal(json.alreadyExisted, true);
		assert.equal(json.attempts, 3, 'two adds and the look-up');
		assert.equal(json.codeMayHaveBeenSent, false);
	});

	it('leaves a number of another WABA on Error, saying where to look', async () => {
		const otherWaba = '766000000000002';
		const own = await startKaleyraEmulator({ account: { wabaIds: [WABA_ID, otherWaba] } });
		try {
			const elsewhere = onlyItem(
				await runOperation(own, 'addNumber', [addItem({ wabaId: otherWaba })]),
				'success',
			).json;
			assert.equal(elsewhere.alreadyExisted, false);
			const result = await runOperation(own, 'addNumber', [addItem()]);
			const { error, attempts } = onlyItem(result, 'failed').json;
			assert.equal(error.code, 'WA400');
			assert.match(error.message, new RegExp(`not among the numbers of WABA ${WABA_ID}`));
			assert.match(error.hint, /another WABA/);
			assert.deepEqual(error.fields, ['phoneNumber', 'wabaId']);
			assert.equal(attempts, 2);
		} finally {
			await own.close();
		}
	});

	it('with Recover Existing Number off, reports a number already on the account as Kaleyra says it', async () => {
		const result = await runOperation(emulator(), 'addNumber', [addItem({ phoneNumber: NUMBERS.pending1.phoneNumber })], {
			options: { recoverExistingNumber: false },
		});
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'WA400');
		assert.deepEqual(error.fields, ['phoneNumber']);
		assert.equal(error.retryable, false);
		assert.equal(emulator().requests.length, 1, 'nothing looked up');
	});

	it('is not repeated when it may have reached Kaleyra: a second add would send a second code', async () => {
		emulator().setFaults({ queue: ['reset'] });
		const result = await runOperation(emulator(), 'addNumber', [addItem()], { options: { maxTries: 3, retryDelay: 1 } });
		const { error, attempts } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'CONNECTION_LOST');
		assert.equal(error.retryable, false);
		assert.equal(attempts, 1);
		assert.equal(emulator().requests.length, 1);
	});

	it('is repeated when Kaleyra asked for it', async () => {
		emulator().setFaults({ queue: ['wa500TryLater'] });
		const result = await runOperation(emulator(), 'addNumber', [addItem()], { options: { retryDelay: 1 } });
		assert.equal(onlyItem(result, 'success').json.attempts, 2);
	});

	for (const fault of ['http503', 'forwarded503', 'http429']) {
		it(`is not repeated after a gateway's ${fault} without Kaleyra's JSON: it may have added the number`, async () => {
			emulator().setFaults({ queue: [fault] });
			const result = await runOperation(emulator(), 'addNumber', [addItem()], { options: { retryDelay: 1 } });
			const { error, attempts } = onlyItem(result, 'failed').json;
			assert.equal(error.retryable, false);
			assert.match(error.hint, /may have reached Kaleyra/);
			assert.equal(attempts, 1);
			assert.equal(emulator().requests.length, 1);
			assert.equal(emulator().otps().length, fault === 'forwarded503' ? 1 : 0);
		});
	}
});

describe('Add Number recovers only a refusal about the number it added', () => {
	let server;
	before(async () => {
		server = await startAnsweringServer({ status: 200, body: '{}' });
	});
	after(() => server.close());

	const refusal = (message, phoneNumber) => ({
		status: 400,
		body: { code: 'WA400', message, data: [], error: { phone_number: phoneNumber } },
	});
	for (const [name, answer] of [
		['a WA400 "name already exists"', refusal('name already exists', 'name already exists')],
		['"already exists" about another number', refusal('phone number already exists', '+919888888888')],
	]) {
		it(`${name} stays on Error, nothing looked up`, async () => {
			server.answer(answer);
			const result = await runOperation(null, 'addNumber', [addItem()], { credentials: server.credentials() });
			const { error } = onlyItem(result, 'failed').json;
			assert.equal(error.message, answer.body.message);
			assert.equal(server.requests.length, 1, 'a look-up was sent');
		});
	}

	for (const phoneNumber of [NEW_NUMBER, NEW_NUMBER.slice(3), 'phone number already exists']) {
		it(`"already exists" naming ${phoneNumber} is looked up in the list`, async () => {
			server.answer(refusal('phone number already exists', phoneNumber));
			await runOperation(null, 'addNumber', [addItem()], { credentials: server.credentials() });
			assert.deepEqual(
				server.requests.map(({ method }) => method),
				['POST', 'GET'],
			);
		});
	}
});
