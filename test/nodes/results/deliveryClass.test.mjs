// A 429 or 503 whose body merely has a string code and message is not proof that Kaleyra did not
// act (a gateway's own JSON looks the same): only Kaleyra's WA500 "Please try again later" is.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startAnsweringServer } from '../../helpers/answeringServer.mjs';
import { NUMBERS, WABA_ID, itemFor, runOperation } from '../../helpers/kaleyra.mjs';

const ADD_ITEM = {
	json: {
		wabaId: WABA_ID,
		phoneNumber: '+919765409999',
		countryCode: '91',
		displayName: 'Acme Travel',
		channel: 'SMS',
	},
};
const itemOf = (operation) => (operation === 'addNumber' ? ADD_ITEM : itemFor(NUMBERS.pending1));
// Default Tries (3); short waits so the retried cases stay quick.
const OPTIONS = { retryDelay: 1, maxRetryDelay: 20 };

const UNCERTAIN_ANSWERS = {
	"a gateway's JSON": {
		status: 503,
		body: {
			code: 'UPSTREAM_RESET',
			message: 'upstream connect error or disconnect/reset before headers',
		},
	},
	'WA500 Internal error': {
		status: 503,
		body: { code: 'WA500', message: 'Internal error', data: {}, error: {} },
	},
	'a 429 with a JSON code': {
		status: 429,
		body: { code: 'RATE_LIMITED', message: 'Too many requests' },
	},
};

describe('A 429 or 503 with a code and message is uncertain unless Kaleyra asked to try again later', () => {
	let server;
	before(async () => {
		server = await startAnsweringServer({ status: 200, body: '{}' });
	});
	after(() => server.close());

	for (const [name, answer] of Object.entries(UNCERTAIN_ANSWERS)) {
		for (const operation of ['addNumber', 'verifyNumber', 'retryOtp']) {
			it(`${operation}: ${name} is sent once and is not retryable`, async () => {
				server.answer(answer);
				const result = await runOperation(null, operation, [itemOf(operation)], {
					credentials: server.credentials(),
					options: OPTIONS,
				});
				assert.equal(result.failed.length, 1);
				assert.equal(server.requests.length, 1, 'the write was sent again');
				assert.equal(result.failed[0].json.error.retryable, false);
			});
		}
		it(`getNumberDetails: ${name} is read again`, async () => {
			server.answer(answer);
			await runOperation(null, 'getNumberDetails', [itemFor(NUMBERS.pending1)], {
				credentials: server.credentials(),
				options: OPTIONS,
			});
			assert.equal(server.requests.length, 3);
		});
	}

	it('verifyNumber: a 503 WA500 "Please try again later" is still sent again', async () => {
		server.answer({
			status: 503,
			body: { code: 'WA500', message: 'Please try again later', data: {}, error: {} },
		});
		await runOperation(null, 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			credentials: server.credentials(),
			options: OPTIONS,
		});
		assert.equal(server.requests.length, 3);
	});
});
