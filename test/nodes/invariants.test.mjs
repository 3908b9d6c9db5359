// Property-based checks of what must hold for any batch, any fault mix and any input:
// random cases from fast-check (seeded, so a failure replays), run in n8n's engine
// against an emulator started for each case with that case's numbers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { startKaleyraEmulator } from '../emulator/kaleyra-emulator.mjs';
import { runKaleyraNode } from '../helpers/engine.mjs';
import {
	DEFAULT_ACCOUNT,
	MAPPED_PARAMETERS,
	WABA_ID,
	credentialsFor,
} from '../helpers/kaleyra.mjs';

const SEED = 20261123;
const RUNS = 25;

// Faults Kaleyra sends before acting on a request: repeating it is safe.
const SAFE_FAULTS = ['http429', 'http429RetryAfter', 'http503', 'wa500TryLater'];
// The request may have taken effect: repeated only with "Retry When Delivery Is Uncertain".
const UNCERTAIN_FAULTS = ['reset', 'hang', 'http500', 'html'];
const BROKEN_ANSWERS = ['malformedJson', 'empty', 'tooLarge'];
const FAULT_KINDS = [...SAFE_FAULTS, ...UNCERTAIN_FAULTS, ...BROKEN_ANSWERS];

const OPTIONS = { retryDelay: 1, maxRetryDelay: 20, timeout: 400, maxTries: 3 };

/** One number per item, so each request in the log belongs to exactly one item. */
function numberFor(index, state) {
	const suffix = String(index).padStart(4, '0');
	return {
		id: `20000000000${suffix}`,
		phoneNumber: `+9197655${suffix}`,
		otp: String(100000 + index * 7919).slice(0, 6),
		state,
	};
}

function startEmulatorFor(numbers) {
	return startKaleyraEmulator({
		numbers: Object.fromEntries(
			numbers.map(({ id, phoneNumber, otp, state }) => [id, { phoneNumber, otp, state }]),
		),
	});
}

/** Everything the process prints while `run` runs, so a leaked key in a log line is seen. */
async function capturingOutput(run) {
	const printed = [];
	const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
	const consoleOriginals = {};
	for (const stream of ['stdout', 'stderr']) {
		process[stream].write = function (chunk, ...rest) {
			printed.push(String(chunk));
			return originals[stream].call(this, chunk, ...rest);
		};
	}
	for (const method of ['log', 'info', 'warn', 'error', 'debug']) {
		consoleOriginals[method] = console[method];
		console[method] = (...args) => {
			printed.push(args.map(String).join(' '));
			consoleOriginals[method](...args);
		};
	}
	try {
		return { result: await run(), printed: printed.join('\n') };
	} finally {
		Object.assign(process.stdout, { write: originals.stdout });
		Object.assign(process.stderr, { write: originals.stderr });
		Object.assign(console, consoleOriginals);
	}
}

function assertEveryItemOnceInOrder(result, count) {
	assert.equal(result.error, undefined, `the run failed: ${result.error?.message}`);
	const indexes = (branch) => branch.map((item) => item.pairedItem.item);
	for (const branch of [result.success, result.failed]) {
		const seen = indexes(branch);
		assert.deepEqual(
			seen,
			[...seen].sort((a, b) => a - b),
			'a branch is out of input order',
		);
	}
	assert.deepEqual(
		[...indexes(result.success), ...indexes(result.failed)].sort((a, b) => a - b),
		Array.from({ length: count }, (_, index) => index),
		'every item on exactly one branch, once',
	);
}

function assertNoKey(...texts) {
	for (const text of texts) assert.ok(!text.includes(DEFAULT_ACCOUNT.apiKey), 'the API key leaked');
}

const faultMix = fc
	.dictionary(fc.constantFrom(...FAULT_KINDS), fc.integer({ min: 1, max: 10 }), { maxKeys: 5 })
	.map((weights) => {
		const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
		// At most 60 % of requests fail, so batches still see successes.
		return Object.fromEntries(
			Object.entries(weights).map(([kind, weight]) => [kind, (0.6 * weight) / (total || 1)]),
		);
	});

const bulkCase = fc.record({
	operation: fc.constantFrom('verifyNumber', 'retryOtp'),
	states: fc.array(fc.constantFrom('pending', 'pending', 'pending', 'approved', 'unavailable'), {
		minLength: 1,
		maxLength: 12,
	}),
	wrongOtp: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
	probabilities: faultMix,
	seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
	concurrency: fc.integer({ min: 1, max: 8 }),
	retryUncertain: fc.boolean(),
});

describe('Invariants under random batches and fault mixes', () => {
	it('every item once, in order; accepted never an error; no unrequested repeat; no key anywhere', async () => {
		await fc.assert(
			fc.asyncProperty(bulkCase, async (testCase) => {
				const numbers = testCase.states.map((state, index) => numberFor(index, state));
				const emulator = await startEmulatorFor(numbers);
				try {
					emulator.setFaults({
						seed: testCase.seed,
						probabilities: testCase.probabilities,
						hangMs: 1_000,
						retryAfterSeconds: 0,
					});
					const items = numbers.map((number, index) => ({
						json: {
							wabaId: WABA_ID,
							phoneNumberId: number.id,
							phoneNumber: number.phoneNumber,
							otp: testCase.wrongOtp[index] ? '999999' : number.otp,
							channel: 'SMS',
						},
					}));
					const { result, printed } = await capturingOutput(() =>
						runKaleyraNode({
							parameters: {
								...MAPPED_PARAMETERS[testCase.operation],
								options: {
									...OPTIONS,
									concurrency: testCase.concurrency,
									retryUncertain: testCase.retryUncertain,
								},
							},
							items,
							credentials: credentialsFor(emulator),
						}),
					);

					assertEveryItemOnceInOrder(result, items.length);
					assertNoKey(JSON.stringify(result.run.data), printed);

					const outputs = [
						...result.success.map((item) => ({ ok: true, item })),
						...result.failed.map((item) => ({ ok: false, item })),
					];
					const finalState = emulator.numbers();
					for (const { ok, item } of outputs) {
						const number = numbers[item.pairedItem.item];
						const requests = emulator.requests.filter((request) => request.json?.id === number.id);
						assert.equal(item.json.attempts, requests.length, 'attempts = requests sent');
						assert.ok(requests.length >= 1 && requests.length <= OPTIONS.maxTries);

						// Accepted ⇔ Success: the last answer arrived whole and was Kaleyra's yes.
						const last = requests.at(-1);
						const deliveredOk = last.fault === null && last.status === 200;
						const deliveredApproved = last.fault === null && item.json.alreadyApproved === true;
						if (ok)
							assert.ok(
								deliveredOk || deliveredApproved,
								`success without a yes: ${JSON.stringify(last)}`,
							);
						else assert.ok(!deliveredOk, `a Kaleyra yes reported as ${item.json.error?.code}`);

						// Only the last request may be followed by nothing; each earlier one must be
						// one that is safe to repeat, or one the user allowed to repeat.
						for (const earlier of requests.slice(0, -1)) {
							const safe =
								SAFE_FAULTS.includes(earlier.fault) ||
								(earlier.fault === null &&
									earlier.status === 500 &&
									number.state === 'unavailable');
							const allowed = testCase.retryUncertain && UNCERTAIN_FAULTS.includes(earlier.fault);
							assert.ok(safe || allowed, `repeated after ${earlier.fault ?? earlier.status}`);
						}
						if (testCase.operation === 'retryOtp' && !testCase.retryUncertain) {
							assert.ok(finalState[number.id].otpSentCount <= 1, 'a second OTP was sent unasked');
						}
					}
				} finally {
					await emulator.close();
				}
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});
});

// Values that no field accepts. IDs accept digit strings of any length, so those are left out.
const BAD_ANYWHERE = [
	null,
	undefined,
	'',
	'   ',
	true,
	false,
	{ value: '123456' },
	['123456'],
	'x'.repeat(100_000),
	'١٢٣٤٥٦',
	'12345６',
	'🙂🙂🙂🙂🙂🙂',
	'\u202e654321',
	'123\u200b456',
	12345678901234567,
	-1,
	1.5,
	NaN,
];
const BAD_FOR = {
	wabaId: [...BAD_ANYWHERE, '76600000000000a', '+766000000000001'],
	phoneNumberId: [...BAD_ANYWHERE, '10000000000000 1x', '-100000000000001'],
	phoneNumber: [
		...BAD_ANYWHERE,
		'919765400001',
		'+91976540000123456789',
		'+0919765400001',
		'9999999999999999',
	],
	otp: [...BAD_ANYWHERE, '12345', '1234567', '1234567890123456', 123456789012345680],
	typeVerification: [...BAD_ANYWHERE, 'EMAIL', 'sms ', 'VOICE_CALL'],
};
const FIELDS_OF = {
	verifyNumber: ['wabaId', 'phoneNumberId', 'phoneNumber', 'otp'],
	retryOtp: ['wabaId', 'phoneNumberId', 'phoneNumber', 'typeVerification'],
};
const INPUT_KEY = { typeVerification: 'channel' };
// Expressions that throw when n8n resolves them, for the items that ask for it.
const THROWERS = [
	"$('Missing Node').item.json.x",
	'$json.missing.deeper.value',
	"(() => { throw new Error('boom') })()",
];

function parametersThatMayThrow(operation, thrower) {
	const parameters = { operation, options: OPTIONS };
	for (const field of FIELDS_OF[operation]) {
		const key = INPUT_KEY[field] ?? field;
		parameters[field] = `={{ $json.throwIn === '${field}' ? ${thrower} : $json.${key} }}`;
	}
	return parameters;
}

const malformedCase = fc.record({
	operation: fc.constantFrom('verifyNumber', 'retryOtp'),
	thrower: fc.constantFrom(...THROWERS),
	items: fc.array(
		fc.oneof(
			fc.constant({ kind: 'good' }),
			fc.record({ kind: fc.constant('bad'), field: fc.nat(3), value: fc.nat(40) }),
			fc.record({ kind: fc.constant('throws'), field: fc.nat(3) }),
		),
		{ minLength: 1, maxLength: 10 },
	),
});

describe('Invariants for malformed input', () => {
	it('every malformed item ends on Error as INVALID_INPUT naming its field, with no request', async () => {
		await fc.assert(
			fc.asyncProperty(malformedCase, async ({ operation, thrower, items: plan }) => {
				const numbers = plan.map((_, index) => numberFor(index, 'pending'));
				const emulator = await startEmulatorFor(numbers);
				try {
					const fields = FIELDS_OF[operation];
					const expectedField = [];
					const items = plan.map((step, index) => {
						const number = numbers[index];
						const json = {
							wabaId: WABA_ID,
							phoneNumberId: number.id,
							phoneNumber: number.phoneNumber,
							otp: number.otp,
							channel: 'VOICE',
						};
						if (step.kind === 'bad') {
							const field = fields[step.field];
							const candidates = BAD_FOR[field];
							const value = candidates[step.value % candidates.length];
							const key = INPUT_KEY[field] ?? field;
							if (value === undefined) delete json[key];
							else json[key] = value;
							expectedField[index] = field;
						} else if (step.kind === 'throws') {
							json.throwIn = fields[step.field];
							expectedField[index] = fields[step.field];
						}
						return { json };
					});

					const { result, printed } = await capturingOutput(() =>
						runKaleyraNode({
							parameters: parametersThatMayThrow(operation, thrower),
							items,
							credentials: credentialsFor(emulator),
						}),
					);
					assertEveryItemOnceInOrder(result, items.length);
					assertNoKey(JSON.stringify(result.run.data), printed);

					const sentIds = new Set(emulator.requests.map((request) => request.json?.id));
					for (const item of result.failed) {
						const index = item.pairedItem.item;
						assert.ok(
							expectedField[index],
							`a good item failed: ${JSON.stringify(item.json.error)}`,
						);
						assert.equal(item.json.error.code, 'INVALID_INPUT');
						assert.ok(
							item.json.error.fields.includes(expectedField[index]),
							`${JSON.stringify(item.json.error.fields)} does not name ${expectedField[index]}`,
						);
						assert.ok(item.json.error.message.length > 0);
						assert.equal(item.json.attempts, 0);
						assert.ok(!sentIds.has(numbers[index].id), 'a malformed item was sent');
					}
					for (const item of result.success) {
						assert.equal(
							expectedField[item.pairedItem.item],
							undefined,
							'a malformed item succeeded',
						);
					}
				} finally {
					await emulator.close();
				}
			}),
			{ seed: SEED, numRuns: RUNS * 2 },
		);
	});
});
