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

	it('asks by the number’s digits and carries status, rating, tier and name beside Kaleyra’s data', async () => {
		const result = await runOperation(emulator(), 'getNumberDetails', [details(NUMBERS.approved.phoneNumber)]);
		const { json } = onlyItem(result, 'success');
		assert.equal(json.operation, 'getNumberDetails');
		assert.equal(json.phoneNumber, NUMBERS.approved.phoneNumber);
		assert.equal(json.status, json.data.status);
		assert.equal(json.qualityRating, json.data.quality_rating);
		assert.equal(json.messagingLimitTier, json.data.messaging_limit_tier);
		assert.equal(json.verifiedName, json.data.verified_name);
		assert.equal(json.numberProblem, undefined, 'no problem on a connected number');

		const [request] = emulator().requests;
		assert.equal(request.method, 'GET');
		assert.equal(
			request.path,
			`/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${NUMBERS.approved.phoneNumber.slice(1)}/phone_number_details`,
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

	it('reports an unknown number on Error, naming the phone number', async () => {
		const result = await runOperation(emulator(), 'getNumberDetails', [details('+919999999999')]);
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'WA400');
		assert.deepEqual(error.fields, ['phoneNumber']);
	});

	it('is retried after a timeout, which cannot have changed anything', async () => {
		emulator().setFaults({ queue: ['hang'], hangMs: 5_000 });
		const result = await runOperation(emulator(), 'getNumberDetails', [details(NUMBERS.pending1.phoneNumber)], {
			options: { timeout: 300, retryDelay: 1 },
		});
		assert.equal(onlyItem(result, 'success').json.attempts, 2);
	});

	it('works for a number of any WABA: the path names no WABA', async () => {
		const result = await runOperation(emulator(), 'getNumberDetails', [details(NUMBERS.pending2.phoneNumber)]);
		onlyItem(result, 'success');
		assert.ok(!emulator().requests[0].path.includes(WABA_ID));
	});
});
