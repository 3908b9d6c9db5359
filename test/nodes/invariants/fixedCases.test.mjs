// Bugs the properties found, as minimal fixed cases: values the random properties leave out
// (over-long IDs, options that are not numbers, Unicode case mappings, timers past 2^31 - 1 ms).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startKaleyraEmulator } from '../../../emulator/kaleyra-emulator.mjs';
import { NUMBERS, itemFor, runOperation } from '../../helpers/kaleyra.mjs';
import { assertEveryItemOnceInOrder } from './assertions.mjs';

// Fixed cases for what the properties first found: an ID of any length used to pass, and an
// option resolving to something not a number became NaN (Concurrency NaN dropped every item;
// Tries NaN or Infinity never stopped retrying). The random properties leave these values out.
describe('Malformed values the properties once found the node letting through', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator();
	});
	after(() => emulator.close());

	const item = (overrides = {}) => itemFor(NUMBERS.pending1, overrides);

	for (const field of ['phoneNumberId', 'wabaId']) {
		it(`a 100,000-digit ${field} is INVALID_INPUT, with no request`, async () => {
			emulator.reset();
			const result = await runOperation(
				emulator,
				'verifyNumber',
				[item({ [field]: '1'.repeat(100_000) })],
				{
					options: { retryDelay: 1 },
				},
			);
			assert.equal(result.error, undefined);
			const [output] = [...result.success, ...result.failed];
			assert.equal(result.failed.length, 1);
			assert.deepEqual(
				{
					code: output.json.error.code,
					fields: output.json.error.fields,
					attempts: output.json.attempts,
				},
				{ code: 'INVALID_INPUT', fields: [field], attempts: 0 },
			);
			assert.equal(emulator.requests.length, 0);
		});
	}

	// Options mapped from the input by an expression can be malformed too.
	for (const [option, expression] of [
		['concurrency', '={{ $json.notThere }}'],
		['concurrency', '={{ "four" }}'],
		['maxTries', '={{ $json.notThere }}'],
		['maxTries', '={{ "three" }}'],
		['maxTries', '={{ 1 / 0 }}'],
	]) {
		it(`Options › ${option} = ${expression} loses no item and never tries more than 10 times`, async () => {
			emulator.reset();
			// 15 answers Kaleyra asks to repeat, then a success: a bounded node stops long before.
			emulator.setFaults({
				byPhoneNumberId: { [NUMBERS.pending1.id]: Array(15).fill('wa500TryLater') },
			});
			const items = [
				item(),
				item({
					phoneNumberId: NUMBERS.pending2.id,
					phoneNumber: NUMBERS.pending2.phoneNumber,
					otp: NUMBERS.pending2.otp,
				}),
			];
			const result = await runOperation(emulator, 'verifyNumber', items, {
				options: { retryDelay: 0, maxRetryDelay: 0, [option]: expression },
			});
			if (option === 'concurrency') {
				// A setting of the whole run: the run stops with an error that names it.
				assert.match(result.error?.message ?? '', /options\.concurrency is .*, not a number/);
				assert.equal(emulator.requests.length, 0);
				return;
			}
			assertEveryItemOnceInOrder(result, items, 'verifyNumber');
			const finite = expression.includes('1 / 0');
			for (const { json } of [...result.success, ...result.failed]) {
				if (finite) assert.ok(json.attempts <= 10, `${json.attempts} tries`);
				else
					assert.deepEqual(
						[json.error.code, json.error.fields, json.attempts],
						['INVALID_INPUT', ['options.maxTries'], 0],
					);
			}
		});
	}
});

describe('Bugs the properties found', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator();
	});
	after(() => emulator.close());

	const item = itemFor;

	async function runOne(operation, input, options, faults = {}) {
		emulator.reset();
		emulator.setFaults(faults);
		const result = await runOperation(emulator, operation, [input], {
			options: { retryDelay: 1, maxRetryDelay: 20, ...options },
		});
		assert.equal(result.error, undefined);
		assert.equal(result.success.length + result.failed.length, 1);
		return { result, output: [...result.success, ...result.failed][0].json };
	}

	// toChannel upper-cases with String#toUpperCase, whose Unicode mapping turns the Latin
	// long s 'ſ' (U+017F) into 'S' and the dotless 'ı' (U+0131) into 'I'.
	for (const channel of ['ſms', 'ſmſ', 'voıce']) {
		it(`Channel ${JSON.stringify(channel)} is INVALID_INPUT, with no OTP sent`, async () => {
			const { output } = await runOne('retryOtp', item(NUMBERS.pending1, { channel }));
			assert.deepEqual(
				{
					code: output.error?.code,
					fields: output.error?.fields,
					requests: emulator.requests.length,
				},
				{ code: 'INVALID_INPUT', fields: ['typeVerification'], requests: 0 },
			);
		});
	}

	// Number options set by expression must be numbers; the two switches take any value, and
	// anything but the boolean silently means the default.
	it('Options › Treat Already Approved as Success = "false" (text, as from a form) does not send an approved number to Success', async () => {
		const { result, output } = await runOne('verifyNumber', item(NUMBERS.approved), {
			treatAlreadyApprovedAsSuccess: '={{ "false" }}',
		});
		assert.equal(result.success.length, 0, `on Success: ${JSON.stringify(output)}`);
		if (output.error.code === 'INVALID_INPUT')
			assert.deepEqual(output.error.fields, ['options.treatAlreadyApprovedAsSuccess']);
	});

	it('Options › Retry When Delivery Is Uncertain = "true" (text) is honoured or refused, not ignored', async () => {
		const { output } = await runOne(
			'verifyNumber',
			item(NUMBERS.pending1),
			{ retryUncertain: '={{ "true" }}' },
			{ queue: ['reset'] },
		);
		assert.ok(
			output.error?.code === 'INVALID_INPUT' || output.attempts === 2,
			`neither retried nor refused: ${JSON.stringify(output)}`,
		);
	});

	// A timer holds at most 2^31 - 1 ms; Node sets a longer one to 1 ms (TimeoutOverflowWarning),
	// and the Timeout option is clamped only to Number.MAX_VALUE. Kaleyra answers in 5 ms here.
	for (const timeout of [2 ** 31, 3e9, '={{ 1 / 0 }}']) {
		it(`Options › Timeout = ${timeout} does not time the request out at once`, async () => {
			const { output } = await runOne(
				'verifyNumber',
				item(NUMBERS.pending1),
				{ timeout },
				{ latencyMs: 5 },
			);
			// Whether the emulator got to verify the number first is a race; the node's answer is not.
			assert.equal(output.success, true, `the node said ${JSON.stringify(output.error)}`);
		});
	}

	it('every option that is not a number is named, as every bad parameter is', async () => {
		const { output } = await runOne('verifyNumber', item(NUMBERS.pending1), {
			timeout: '={{ "a" }}',
			maxTries: '={{ "b" }}',
		});
		assert.deepEqual(output.error.fields, ['options.timeout', 'options.maxTries']);
		assert.match(output.error.message, /options\.timeout .*; options\.maxTries /);
		assert.equal(emulator.requests.length, 0);
	});
});
