// Each code Kaleyra documents gets its own words (results/errorCatalogue.ts): the three 401s
// told apart by their message, low balance, the daily limit, WA500's spacing advice; WA202 is a
// success like WA200; "already approved" only in Kaleyra's own wording. Each answer is served
// byte for byte by a scripted server, as Kaleyra's pages write it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startAnsweringServer } from '../../helpers/answeringServer.mjs';
import { NUMBERS, itemFor, onlyItem, runOperation, useEmulator } from '../../helpers/kaleyra.mjs';

const OPERATIONS = ['addNumber', 'getManyNumbers', 'getNumberDetails', 'retryOtp', 'verifyNumber'];
const ITEM = itemFor(NUMBERS.pending1, { countryCode: '91', displayName: 'Acme Travel' });

const envelope = (code, message, data = {}, error = {}) => ({ code, message, data, error });

describe('Kaleyra’s documented codes, each with its own words', () => {
	let server;
	before(async () => {
		server = await startAnsweringServer({ status: 200, body: '{}' });
	});
	after(() => server.close());

	async function run(operation, status, body, options) {
		server.answer({ status, body });
		return await runOperation(null, operation, [ITEM], {
			credentials: server.credentials(),
			options: { retryDelay: 1, ...options },
		});
	}

	for (const operation of OPERATIONS) {
		it(`${operation}: 202 WA202 "Request Accepted." is a Success, data whole`, async () => {
			const data = { id: NUMBERS.pending1.id, status: 'PENDING' };
			const result = await run(operation, 202, envelope('WA202', 'Request Accepted.', data));
			const [item] = result.success;
			assert.equal(result.failed.length, 0, JSON.stringify(result.failed[0]?.json));
			assert.equal(item.json.code, 'WA202');
			assert.deepEqual(item.json.data, data);
		});

		it(`${operation}: a 2xx with another code is never a Success`, async () => {
			const result = await run(operation, 200, envelope('WA400', 'invalid phone number'));
			assert.equal(onlyItem(result, 'failed').json.error.code, 'WA400');
		});
	}

	it('WA401 "Unauthorized phone number" on Get Number Details names the phone number, never the WABA', async () => {
		const message =
			'Unauthorized phone number – Phone number is not present or does not belong to the account.';
		const result = await run('getNumberDetails', 401, envelope('WA401', message));
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'WA401');
		assert.equal(error.message, message);
		assert.deepEqual(error.fields, ['phoneNumber']);
		assert.doesNotMatch(error.hint, /WABA ID/);
		assert.match(error.hint, /phone number/);
	});

	it('the number endpoints’ own WA401 names the WABA, and on Get Number Details names no field it lacks', async () => {
		const message = 'Waba_id is not present or does not belong to the account.';
		const body = envelope('WA401', message, {}, { waba_id: message });
		const verify = onlyItem(await run('verifyNumber', 401, body), 'failed').json.error;
		assert.deepEqual(verify.fields, ['wabaId']);
		assert.match(verify.hint, /WABA ID/);
		const details = onlyItem(await run('getNumberDetails', 401, body), 'failed').json.error;
		assert.deepEqual(details.fields, []);
	});

	it('WA-401 "Unauthorised Account type" sends the user to Kaleyra support, about the account', async () => {
		const body = envelope('WA-401', 'Unauthorised Account type – API is not available for given customer');
		for (const operation of ['verifyNumber', 'getNumberDetails']) {
			const { error } = onlyItem(await run(operation, 401, body), 'failed').json;
			assert.equal(error.code, 'WA401');
			assert.deepEqual(error.fields, ['credentials.sid']);
			assert.match(error.hint, /Kaleyra support/);
			assert.equal(error.retryable, false);
		}
	});

	it('WA-401 "different Version of our WA API" says the number needs Kaleyra’s V1 API', async () => {
		const body = envelope(
			'WA-401',
			"The phone number you're using is associated with different Version of our WA API.",
		);
		const { error } = onlyItem(await run('retryOtp', 401, body), 'failed').json;
		assert.deepEqual(error.fields, ['phoneNumber']);
		assert.match(error.hint, /V1 API/);
		assert.match(error.hint, /does not speak/);
	});

	it('E110 low balance: top up, never retried, even with a status that would be', async () => {
		const body = envelope('E110', 'Low balance – Please check your balance, You have a low balance!');
		for (const status of [400, 503]) {
			const result = await run('addNumber', status, body, { maxTries: 3 });
			const { error, attempts } = onlyItem(result, 'failed').json;
			assert.equal(error.code, 'E110');
			assert.match(error.hint, /Top up the balance/);
			assert.deepEqual(error.fields, []);
			assert.equal(error.retryable, false);
			assert.equal(attempts, 1);
			assert.equal(server.requests.length, 1);
		}
	});

	it('WAV2101 daily limit: resets daily, not retried within the run', async () => {
		const body = envelope('WAV2101', 'Account daily limit reached.');
		for (const status of [429, 400]) {
			const result = await run('retryOtp', status, body, { maxTries: 3 });
			const { error, attempts } = onlyItem(result, 'failed').json;
			assert.equal(error.code, 'WAV2101');
			assert.match(error.hint, /resets daily/);
			assert.equal(error.retryable, false);
			assert.equal(attempts, 1);
			assert.equal(server.requests.length, 1);
		}
	});

	it('WA500 carries Kaleyra’s own advice: 3 retries 5, 10 and 15 minutes apart', async () => {
		const body = envelope('WA500', 'Internal server error');
		const { error } = onlyItem(await run('getManyNumbers', 500, body), 'failed').json;
		assert.equal(error.code, 'WA500');
		assert.match(error.hint, /3 retries with intervals of 5, 10, and 15 minutes/);
	});

	it('a WA400 on Get Number Details names only the fields it has', async () => {
		const body = envelope('WA400', 'invalid phone number id', {}, { id: 'invalid phone number id' });
		const { error } = onlyItem(await run('getNumberDetails', 400, body), 'failed').json;
		assert.deepEqual(error.fields, []);
		assert.match(error.hint, /its message says why/);
	});
});

describe('“Already approved” only in Kaleyra’s own words', () => {
	let server;
	before(async () => {
		server = await startAnsweringServer({ status: 200, body: '{}' });
	});
	after(() => server.close());

	const answerWith = async (operation, message) => {
		server.answer({ status: 500, body: envelope('WA500', message, [], { error: message }) });
		return await runOperation(null, operation, [ITEM], { credentials: server.credentials() });
	};

	for (const message of [
		'wa phone number already approved',
		'WA Phone Number Already Approved.',
		'  wa phone number  already approved! ',
	]) {
		it(`"${message}" is Success, alreadyApproved`, async () => {
			const { json } = onlyItem(await answerWith('verifyNumber', message), 'success');
			assert.equal(json.alreadyApproved, true);
		});
	}

	for (const message of [
		'wa phone number is not already approved',
		'number cannot be verified: wa phone number already approved elsewhere',
		'already approved',
	]) {
		for (const operation of ['verifyNumber', 'retryOtp']) {
			it(`${operation}: "${message}" is an Error, not a Success`, async () => {
				const { error } = onlyItem(await answerWith(operation, message), 'failed').json;
				assert.equal(error.code, 'WA500');
				assert.equal(error.message, message);
			});
		}
	}
});

describe('The emulator’s documented bodies, as the node reads them', () => {
	const emulator = useEmulator();

	// [answer, operation, code, fields, what the hint must say]
	for (const [answer, operation, code, fields, hint] of [
		['unauthorizedPhoneNumber', 'getNumberDetails', 'WA401', ['phoneNumber'], /phone number/],
		['wabaNotOwned', 'getNumberDetails', 'WA401', [], /WABA ID/],
		['wabaNotOwned', 'addNumber', 'WA401', ['wabaId'], /WABA ID/],
		['accountTypeNotAllowed', 'verifyNumber', 'WA401', ['credentials.sid'], /Kaleyra support/],
		['otherApiVersion', 'retryOtp', 'WA401', ['phoneNumber'], /V1 API/],
		['lowBalance', 'addNumber', 'E110', [], /Top up/],
		['dailyLimitReached', 'retryOtp', 'WAV2101', [], /resets daily/],
		['tryLater', 'getManyNumbers', 'WA500', [], /5, 10, and 15 minutes/],
	]) {
		it(`${operation}: answer:${answer} is ${code} naming ${JSON.stringify(fields)}`, async () => {
			emulator().setFaults({ queue: Array(4).fill(`answer:${answer}`) });
			const result = await runOperation(emulator(), operation, [ITEM], { options: { maxTries: 1 } });
			const { error } = onlyItem(result, 'failed').json;
			assert.equal(error.code, code);
			assert.deepEqual(error.fields, fields);
			assert.match(error.hint, hint);
		});
	}
});
