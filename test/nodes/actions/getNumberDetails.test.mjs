import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
	DEFAULT_ACCOUNT,
	NUMBERS,
	WABA_ID,
	assertNoApiKey,
	onlyItem,
	runOperation,
	useEmulator,
} from '../../helpers/kaleyra.mjs';

const details = (phoneNumber) => ({ json: { phoneNumber } });

describe('Get Number Details', () => {
	const emulator = useEmulator();

	it('asks with the number’s "+" (%2B) first and carries status, rating, limit and name beside Kaleyra’s data', async () => {
		const result = await runOperation(emulator(), 'getNumberDetails', [details(NUMBERS.approved.phoneNumber)]);
		const { json } = onlyItem(result, 'success');
		assert.equal(json.operation, 'getNumberDetails');
		assert.equal(json.phoneNumber, NUMBERS.approved.phoneNumber);
		assert.equal(json.status, json.data.status);
		assert.equal(json.qualityRating, json.data.quality_rating);
		assert.equal(json.messagingLimit, json.data.whatsapp_business_manager_messaging_limit);
		assert.equal(json.pathForm, 'plus');
		assert.equal(json.verifiedName, json.data.verified_name);
		assert.equal(json.numberProblem, undefined, 'no problem on a connected number');

		const [request] = emulator().requests;
		assert.equal(request.method, 'GET');
		assert.equal(
			request.path,
			`/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/%2B${NUMBERS.approved.phoneNumber.slice(1)}/phone_number_details`,
		);
		assertNoApiKey(result.run.data);
	});

	it('gives the error with Kaleyra’s suggested solution when the number has one', async () => {
		const result = await runOperation(emulator(), 'getNumberDetails', [details(NUMBERS.pending1.phoneNumber)]);
		const { json } = onlyItem(result, 'success');
		assert.equal(json.numberProblem.possibleSolution, json.data.possible_solution);
		assert.ok(json.numberProblem.description);
	});

	it('refuses a number that is not E.164 before sending anything', async () => {
		const result = await runOperation(emulator(), 'getNumberDetails', [details('12345')]);
		assert.equal(onlyItem(result, 'failed').json.error.code, 'INVALID_INPUT');
		assert.equal(emulator().requests.length, 0);
	});

	for (const wrongPathAnswer of ['wa401', 'wa400']) {
		it(`reports an unknown number on Error in Kaleyra’s words (${wrongPathAnswer}), naming the phone number, after a try of the other form`, async () => {
			emulator().setDialect({ wrongPathAnswer });
			const result = await runOperation(emulator(), 'getNumberDetails', [
				details('+919999999999'),
				details('+919999999998'),
			], { options: { concurrency: 2 } });
			assert.equal(result.failed.length, 2);
			const [{ json }] = result.failed;
			assert.equal(json.error.code, wrongPathAnswer === 'wa401' ? 'WA401' : 'WA400');
			assert.match(json.error.message, wrongPathAnswer === 'wa401' ? /Unauthorized phone number/ : /invalid phone number/);
			assert.deepEqual(json.error.fields, ['phoneNumber']);
			assert.doesNotMatch(json.error.hint, /WABA ID/);
			assert.equal(json.attempts, 2);
			// Nothing was learned from the first, so the second tries the other form too.
			assert.equal(result.failed[1].json.attempts, 2);
			assert.equal(emulator().requests.length, 4);
		});
	}

	it('is retried after a timeout, which cannot have changed anything', async () => {
		emulator().setFaults({ queue: ['hang'], hangMs: 5_000 });
		const result = await runOperation(emulator(), 'getNumberDetails', [details(NUMBERS.pending1.phoneNumber)], {
			options: { timeout: 300, retryDelay: 1 },
		});
		assert.equal(onlyItem(result, 'success').json.attempts, 2);
	});

	for (const [detailsPath, wrongPathAnswer, form, extra] of [
		['plus', 'wa401', 'plus', 0],
		['both', 'wa401', 'plus', 0],
		['digits', 'wa401', 'digits', 1],
		['digits', 'wa400', 'digits', 1],
	]) {
		it(`learns the path form once per run when Kaleyra takes ${detailsPath} (${wrongPathAnswer}): ${extra} extra request, concurrent items wait for the lesson`, async () => {
			emulator().setDialect({ detailsPath, wrongPathAnswer });
			const numbers = [NUMBERS.approved, NUMBERS.pending1, NUMBERS.pending2, NUMBERS.pendingLongId];
			const items = [...numbers, ...numbers].map(({ phoneNumber }) => details(phoneNumber));
			const result = await runOperation(emulator(), 'getNumberDetails', items, {
				options: { concurrency: 4 },
			});
			assert.equal(result.failed.length, 0, JSON.stringify(result.failed[0]?.json.error));
			assert.equal(result.success.length, items.length);
			for (const { json } of result.success) assert.equal(json.pathForm, form);
			const { requests } = emulator();
			assert.equal(requests.length, items.length + extra);
			const plusRequests = requests.filter(({ path }) => path.includes('/%2B'));
			assert.equal(plusRequests.length, form === 'plus' ? items.length : 1);
			assert.equal(result.success[0].json.attempts, 1 + extra);
			assert.ok(result.success.slice(1).every(({ json }) => json.attempts === 1));
		});
	}

	it('does not learn from an unknown first number: the rest keep the likely form and no second extra request', async () => {
		emulator().setDialect({ detailsPath: 'plus' });
		const result = await runOperation(emulator(), 'getNumberDetails', [
			details('+919999999999'),
			details(NUMBERS.approved.phoneNumber),
		]);
		assert.equal(result.failed.length, 1);
		assert.equal(result.success[0].json.pathForm, 'plus');
		assert.equal(emulator().requests.length, 3);
	});

	it('still learns the form from a known number after an unknown one was refused in both forms', async () => {
		emulator().setDialect({ detailsPath: 'digits' });
		const result = await runOperation(emulator(), 'getNumberDetails', [
			details('+919999999999'),
			details(NUMBERS.approved.phoneNumber),
			details(NUMBERS.pending1.phoneNumber),
		]);
		assert.equal(result.failed.length, 1);
		assert.equal(result.failed[0].json.attempts, 2);
		assert.equal(result.success.length, 2, JSON.stringify(result.failed[1]?.json.error));
		assert.ok(result.success.every(({ json }) => json.pathForm === 'digits'));
		assert.equal(result.success[0].json.attempts, 2);
		assert.equal(result.success[1].json.attempts, 1, 'the learned form is used at once');
		assert.equal(emulator().requests.length, 5);
	});

	it('spends at most 3 extra requests per run on the other form when no number teaches it', async () => {
		emulator().setDialect({ detailsPath: 'digits' });
		const unknown = ['+919999999991', '+919999999992', '+919999999993', '+919999999994', '+919999999995'];
		const result = await runOperation(emulator(), 'getNumberDetails', unknown.map(details));
		assert.equal(result.failed.length, unknown.length);
		assert.deepEqual(
			result.failed.map(({ json }) => json.attempts),
			[2, 2, 2, 1, 1],
		);
		assert.equal(emulator().requests.length, unknown.length + 3);
	});

	it('works for a number of any WABA: the path names no WABA', async () => {
		const result = await runOperation(emulator(), 'getNumberDetails', [details(NUMBERS.pending2.phoneNumber)]);
		onlyItem(result, 'success');
		assert.ok(!emulator().requests[0].path.includes(WABA_ID));
	});
});
