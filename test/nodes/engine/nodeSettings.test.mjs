// The node settings n8n adds to every node, run in n8n's engine: On Error (Stop Workflow,
// Continue, Continue using error output) when the whole run cannot start, and Always Output Data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
	NUMBERS,
	credentialsFor,
	itemFor,
	runOperation,
	useEmulator,
} from '../../helpers/kaleyra.mjs';

// Three items: two good ones and one with a bad phone number, whose context shows null.
const INPUT = [
	itemFor(NUMBERS.pending1),
	itemFor(NUMBERS.pendingZeroOtp),
	itemFor(NUMBERS.pending2, { phoneNumber: 'not a number' }),
];
const RAW_OTPS = INPUT.map(({ json }) => json.otp);

// What stops the whole run before any request: a credential that cannot work, or an option of
// the whole run set by expression to something it cannot be.
const RUN_FAILURES = [
	{
		name: 'a custom base URL that is not http(s)',
		setup: (emulator) => ({ credentials: credentialsFor(emulator, { baseUrl: 'ftp://x' }) }),
		code: 'INVALID_CREDENTIAL',
		fields: ['credentials.baseUrl'],
		message: /base URL/,
	},
	{
		name: 'a SID blank after trimming',
		setup: (emulator) => ({ credentials: credentialsFor(emulator, { sid: '   ' }) }),
		code: 'INVALID_CREDENTIAL',
		fields: ['credentials.sid'],
		message: /SID is empty/,
	},
	{
		name: 'Concurrency set by expression to text',
		setup: () => ({ options: { concurrency: '={{ "many" }}' } }),
		code: 'INVALID_INPUT',
		fields: ['options.concurrency'],
		message: /^options\.concurrency is the text "many", not a number$/,
		hint: /^Set Options › Concurrency to a number from 1 to 64, or remove the option to use 1\.$/,
	},
];

/** `data` defaults to the whole run: when the run stops, n8n keeps the failed node's input items
 * on its execution stack (to run it again), so there only the results and the error count. */
function assertNoRawOtp(result, data = result.run) {
	const text = JSON.stringify({ data, error: result.error?.description });
	for (const otp of RAW_OTPS) assert.ok(!text.includes(otp), `the OTP ${otp} is in the run data`);
}

describe('On Error, when the whole run cannot start', () => {
	const emulator = useEmulator();

	for (const failure of RUN_FAILURES) {
		for (const onError of ['continueRegularOutput', 'continueErrorOutput']) {
			it(`${failure.name}, with On Error = ${onError}: every item on Error, masked, nothing sent`, async () => {
				const result = await runOperation(emulator(), 'verifyNumber', INPUT, {
					...failure.setup(emulator()),
					nodeSettings: { onError },
				});
				assert.equal(result.error, undefined, `the run failed: ${result.error?.message}`);
				assert.deepEqual(result.success, [], 'an item left by Success');
				// n8n appends its own error output for continueErrorOutput: the items stay on the node's.
				assert.deepEqual(result.outputs[2] ?? [], [], "an item on n8n's appended error output");
				assert.equal(result.failed.length, INPUT.length);
				result.failed.forEach((item, index) => {
					const { json, pairedItem } = item;
					assert.deepEqual(pairedItem, { item: index });
					assert.equal(json.success, false);
					assert.equal(json.operation, 'verifyNumber');
					assert.equal(json.phoneNumberId, INPUT[index].json.phoneNumberId);
					assert.equal(json.otp, `****${INPUT[index].json.otp.slice(-2)}`);
					assert.equal(json.attempts, 0);
					assert.equal(json.error.code, failure.code);
					assert.deepEqual(json.error.fields, failure.fields);
					assert.match(json.error.message, failure.message);
					assert.match(json.error.hint, failure.hint ?? /./);
					assert.equal(json.error.retryable, false);
					assert.equal(json.error.httpStatus, null);
				});
				assert.equal(result.failed[2].json.phoneNumber, null, 'a bad field shows null');
				assertNoRawOtp(result);
				assert.equal(emulator().requests.length, 0, 'a request was sent');
			});
		}

		for (const nodeSettings of [{}, { onError: 'stopWorkflow' }]) {
			it(`${failure.name}, with On Error = ${nodeSettings.onError ?? 'default'}: the run stops, saying why`, async () => {
				const result = await runOperation(emulator(), 'verifyNumber', INPUT, {
					...failure.setup(emulator()),
					nodeSettings,
				});
				assert.ok(result.error, 'the run did not fail');
				assert.match(result.error.message, failure.message);
				assert.match(result.error.description ?? '', failure.hint ?? /./);
				assert.deepEqual([result.success, result.failed], [[], []]);
				assertNoRawOtp(result, result.run.data.resultData);
				assert.equal(emulator().requests.length, 0, 'a request was sent');
			});
		}
	}

	it('names every bad option of the whole run, not only the first', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', INPUT, {
			options: { concurrency: '={{ "many" }}', requestsPerSecond: '={{ [] }}' },
			nodeSettings: { onError: 'continueErrorOutput' },
		});
		for (const { json } of result.failed) {
			assert.deepEqual(json.error.fields, ['options.concurrency', 'options.requestsPerSecond']);
			assert.match(json.error.hint, /Concurrency .* Max Requests per Second/);
		}
		assert.equal(result.failed.length, INPUT.length);

		const stopped = await runOperation(emulator(), 'verifyNumber', INPUT, {
			options: { concurrency: '={{ "many" }}', requestsPerSecond: '={{ [] }}' },
		});
		assert.match(
			stopped.error?.message ?? '',
			/^options\.concurrency is .*; options\.requestsPerSecond is a list, not a number$/,
		);
		assert.equal(emulator().requests.length, 0);
	});
});

// n8n-core's WorkflowExecute.ensureAlwaysOutputData puts one empty item on output 0 when it is
// empty, whatever the node returned on its other outputs (as for n8n's own If node): the node
// cannot prevent it. A workflow tells it apart by $json.success, which that item lacks.
describe('Always Output Data', () => {
	const emulator = useEmulator();

	it('with every item failing, Success gets one empty item, with no success key, paired with every input', async () => {
		const items = [
			itemFor(NUMBERS.pending1, { otp: '1' }),
			itemFor(NUMBERS.pending2, { otp: 'x' }),
		];
		const result = await runOperation(emulator(), 'verifyNumber', items, {
			nodeSettings: { alwaysOutputData: true },
		});
		assert.equal(result.error, undefined);
		assert.equal(result.failed.length, 2);
		assert.equal(result.success.length, 1);
		const [added] = result.success;
		assert.deepEqual(added.json, {});
		assert.ok(!('success' in added.json), '$json.success would be set downstream');
		assert.deepEqual(added.pairedItem, [
			{ item: 0, input: 0 },
			{ item: 1, input: 0 },
		]);
	});

	it('adds nothing when an item succeeds', async () => {
		const items = [itemFor(NUMBERS.pending1), itemFor(NUMBERS.pending2, { otp: '1' })];
		const result = await runOperation(emulator(), 'verifyNumber', items, {
			nodeSettings: { alwaysOutputData: true },
		});
		assert.equal(result.success.length, 1);
		assert.equal(result.success[0].json.success, true);
		assert.deepEqual(result.success[0].pairedItem, { item: 0 });
		assert.equal(result.failed.length, 1);
	});
});
