// n8n's output panel opens on the first output, Success, even when items went to Error: the node
// adds an execution hint there saying how many went to Error and with which codes, and none when
// every item succeeded. Codes only: no phone number, OTP or other server text.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startAnsweringServer } from '../../helpers/answeringServer.mjs';
import { NUMBERS, credentialsFor, itemFor, runOperation, useEmulator } from '../../helpers/kaleyra.mjs';

const TAIL = ': open the Error output to see why and what to do.';

/** The execution hints n8n recorded for the Kaleyra node's run. */
const hintsOf = (result) => result.run.data.resultData.runData.Kaleyra[0].hints ?? [];

/** The one hint, after checking it is a warning for the output panel. */
function onlyHint(result) {
	const hints = hintsOf(result);
	assert.equal(hints.length, 1, JSON.stringify(hints));
	assert.equal(hints[0].location, 'outputPane');
	assert.equal(hints[0].type, 'warning');
	return hints[0].message;
}

describe('The hint in the output panel when items went to Error', () => {
	const emulator = useEmulator();

	it('a mixed batch: how many of how many, and each code with its count, in input order', async () => {
		const items = [
			itemFor(NUMBERS.pending1),
			itemFor(NUMBERS.pending2, { otp: '000000' }),
			itemFor(NUMBERS.approved),
			itemFor(NUMBERS.pending2, { phoneNumber: 'call me' }),
			itemFor(NUMBERS.pendingLongId, { otp: '000000' }),
		];
		const result = await runOperation(emulator(), 'verifyNumber', items);
		assert.equal(result.failed.length, 3);
		assert.equal(onlyHint(result), `3 of 5 items went to the Error output (WA400 ×2, INVALID_INPUT ×1)${TAIL}`);
	});

	it('no hint when every item succeeded, an already approved one too', async () => {
		const items = [itemFor(NUMBERS.pending1), itemFor(NUMBERS.approved)];
		const result = await runOperation(emulator(), 'verifyNumber', items);
		assert.equal(result.success.length, 2);
		assert.deepEqual(hintsOf(result), []);
	});

	it('one item: "The item went", a wrong OTP as the editor shows it', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1, { otp: '000000' })]);
		assert.equal(onlyHint(result), `The item went to the Error output (WA400 ×1)${TAIL}`);
	});

	it('three codes at most, then …', async () => {
		const items = [
			itemFor(NUMBERS.pending1, { otp: '000000' }),
			itemFor(NUMBERS.pending2, { wabaId: '1' }),
			itemFor(NUMBERS.pending2, { phoneNumber: 'call me' }),
			itemFor(NUMBERS.unavailable),
		];
		const result = await runOperation(emulator(), 'verifyNumber', items, { options: { retryDelay: 1 } });
		assert.equal(onlyHint(result), `4 of 4 items went to the Error output (WA400 ×1, WA401 ×1, INVALID_INPUT ×1, …)${TAIL}`);
	});

	it('a run that cannot start, with On Error set to Continue: every item counted', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1), itemFor(NUMBERS.pending2)], {
			credentials: credentialsFor(emulator(), { baseUrl: 'ftp://x' }),
			nodeSettings: { onError: 'continueRegularOutput' },
		});
		assert.equal(onlyHint(result), `2 of 2 items went to the Error output (INVALID_CREDENTIAL ×2)${TAIL}`);
	});
});

describe('The hint quotes no server text but a code', () => {
	let server;
	before(async () => {
		server = await startAnsweringServer({ status: 200, body: '{}' });
	});
	after(() => server.close());

	it('a "code" that is not one (a phone number, a sentence) is counted, not quoted', async () => {
		server.answer({
			status: 400,
			body: { code: NUMBERS.pending1.phoneNumber, message: 'no', data: {}, error: {} },
		});
		const result = await runOperation(null, 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			credentials: server.credentials(),
		});
		const message = onlyHint(result);
		assert.equal(message, `The item went to the Error output (another code ×1)${TAIL}`);
		assert.ok(!message.includes(NUMBERS.pending1.phoneNumber.slice(1)));
	});
});
