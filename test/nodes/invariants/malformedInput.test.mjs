// Invariant 5: malformed items (wrong values of every kind, parameters whose expression throws)
// end on Error as INVALID_INPUT naming their fields, with no request; good items beside them
// succeed. Every case also checks 1 and 4.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';

import { startKaleyraEmulator } from '../../../emulator/kaleyra-emulator.mjs';
import { runKaleyraNode } from '../../helpers/engine.mjs';
import { WABA_ID, credentialsFor } from '../../helpers/kaleyra.mjs';
import { assertEveryItemOnceInOrder, assertNoKeyAnywhere, capturingOutput } from './assertions.mjs';
import {
	CONTEXT_KEY,
	FIELDS_OF,
	INPUT_KEY,
	MALFORMED_POOL,
	MISSING,
	RUNS,
	SEED,
	build,
	emulatorHolding,
	raw,
	repeat,
} from './cases.mjs';

const WRONG_ANYWHERE = [
	MISSING,
	raw(undefined),
	raw(null),
	raw(''),
	raw('   '),
	raw('\t\n\u00a0\u2003'),
	raw(true),
	raw(false),
	raw({}),
	raw({ value: '123456' }),
	raw([]),
	raw(['123456']),
	raw([123456]),
	repeat('x', 100_000),
	repeat(' ', 100_000),
	repeat('🙂', 50_000),
	raw('١٢٣٤٥٦'),
	raw('１２３４５６'),
	raw('🙂🙂🙂🙂🙂🙂'),
	raw('\u202e123456'),
	raw('\u200f123456'),
	raw('123\u200b456'),
	raw('\u200d123456\u200c'),
	raw(NaN),
	raw(Infinity),
	raw(-Infinity),
	raw(1.5),
	raw(-1),
	raw(12345678901234567),
	raw(1e21),
	raw(-123456),
];
// Over-long digit strings are checked as fixed cases in fixedCases.test.mjs.
const WRONG_FOR = {
	wabaId: [
		raw('76600000000000a'),
		raw('+766000000000001'),
		raw('766 000 000 000 001'),
		raw('-766000000000001'),
		raw('7.66e14'),
		raw('0x2B8B'),
	],
	phoneNumberId: [
		raw('10000000000000 1x'),
		raw('-100000000000001'),
		raw('1e14'),
		raw('100000000000001.0'),
		raw('0x5AF3107A4001'),
		raw(10987654321098765),
	],
	phoneNumber: [
		raw('919765400001'),
		raw(919765400001),
		raw('+0919765400001'),
		raw('+91976540000123456789'),
		raw('9999999999999999'),
		raw(9999999999999999),
		raw('+1234567'),
		raw('+91 97654 0000x'),
		raw('++919765400001'),
		raw('call me'),
		{ repeat: '9', times: 99_999, prefix: '+' },
	],
	otp: [
		raw('12345'),
		raw('1234567'),
		raw('12 3456'),
		raw('1234567890123456'),
		raw(1234567890123456),
		raw(12345),
		raw(1e6),
		raw('abcdef'),
		raw('12345\u0661'),
		repeat('1', 100_000),
	],
	typeVerification: [
		raw('EMAIL'),
		raw('VOICE_CALL'),
		raw('S MS'),
		raw('ＳＭＳ'),
		raw('SMS\u200b'),
		raw('whatsapp'),
		raw(['SMS']),
		{ repeat: 'E', times: 100_000, prefix: 'VOICE' },
	],
};

/**
 * The field's documented rule, written apart from the node's code, for random values:
 * true when the value can only be refused.
 */
function mustBeRefused(field, value) {
	const digits = /^\d+$/;
	if (typeof value === 'number') {
		if (field === 'wabaId' || field === 'phoneNumberId')
			return !(Number.isSafeInteger(value) && value >= 0);
		if (field === 'otp') return !/^\d{6}$/.test(String(value));
		return true; // no number is "+…" E.164, nor SMS / VOICE
	}
	const text = value.trim();
	switch (field) {
		case 'wabaId':
		case 'phoneNumberId':
			return !digits.test(text);
		case 'otp':
			return !/^\d{6}$/.test(text);
		case 'phoneNumber':
			return (value.match(/[0-9]/g) ?? []).length < 8;
		default:
			// ASCII letters in any case only: String#toUpperCase would also turn 'ſ' into 'S'
			// and 'ı' into 'I', which is the node's own bug (see fixedCases.test.mjs).
			return !/^(SMS|VOICE)$/i.test(text);
	}
}

// Invisible, direction and look-alike characters that no field accepts anywhere in a value
// (none of them is whitespace to JavaScript, so trimming does not remove them).
const INSERTED_CHARS = [
	'\u200b',
	'\u200c',
	'\u200d',
	'\u2060',
	'\u200e',
	'\u200f',
	'\u202b',
	'\u202e',
	'🙂',
	'١',
	'a',
	'#',
];

const THROWERS = [
	"$('Missing Node').item.json.x",
	'$json.a.b.c',
	"(() => { throw new Error('boom') })()",
];

function wrongValue(field) {
	return fc.oneof(
		{ weight: 4, arbitrary: fc.constantFrom(...WRONG_ANYWHERE, ...WRONG_FOR[field]) },
		{
			weight: 1,
			arbitrary: fc
				.string({ unit: 'binary', maxLength: 24 })
				.filter((text) => mustBeRefused(field, text))
				.map(raw),
		},
		{
			weight: 1,
			arbitrary: fc
				.double()
				.filter((number) => mustBeRefused(field, number))
				.map(raw),
		},
		{
			weight: 2,
			arbitrary: fc.record({ insert: fc.constantFrom(...INSERTED_CHARS), at: fc.nat(40) }),
		},
	);
}

function malformedItem(operation) {
	const fields = FIELDS_OF[operation];
	return fc.oneof(
		{ weight: 2, arbitrary: fc.constant({ kind: 'good' }) },
		{
			weight: 3,
			arbitrary: fc
				.uniqueArray(fc.constantFrom(...fields), { minLength: 1, maxLength: 2 })
				.chain((chosen) =>
					fc.tuple(...chosen.map((field) => wrongValue(field))).map((values) => ({
						kind: 'bad',
						bad: chosen.map((field, at) => [field, values[at]]),
					})),
				),
		},
		{
			weight: 1,
			arbitrary: fc.record({
				kind: fc.constant('throws'),
				field: fc.constantFrom(...fields),
				thrower: fc.nat(THROWERS.length - 1),
			}),
		},
	);
}

const malformedCase = fc.constantFrom('verifyNumber', 'retryOtp').chain((operation) =>
	fc.record({
		operation: fc.constant(operation),
		plan: fc.array(malformedItem(operation), { minLength: 1, maxLength: 10 }),
		concurrency: fc.integer({ min: 1, max: 8 }),
	}),
);

/** Each parameter reads the item, except that an item naming it in throwIn makes it throw. */
function parametersThatMayThrow(operation) {
	const [first, second, third] = THROWERS;
	const thrower = `($json.throwKind === 0 ? ${first} : $json.throwKind === 1 ? ${second} : ${third})`;
	const parameters = { operation, options: { retryDelay: 1, maxRetryDelay: 20 } };
	for (const field of FIELDS_OF[operation]) {
		const key = INPUT_KEY[field] ?? field;
		parameters[field] = `={{ $json.throwIn === '${field}' ? ${thrower} : $json.${key} }}`;
	}
	return parameters;
}

describe('Invariants for malformed input', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator(emulatorHolding(MALFORMED_POOL));
	});
	after(() => emulator.close());

	it('5. malformed items end on Error as INVALID_INPUT naming their fields, with no request; good ones succeed', async () => {
		await fc.assert(
			fc.asyncProperty(malformedCase, async ({ operation, plan, concurrency }) => {
				emulator.reset();
				const expected = plan.map((step, index) => {
					const number = MALFORMED_POOL[index];
					const json = {
						wabaId: WABA_ID,
						phoneNumberId: number.id,
						phoneNumber: number.phoneNumber,
						otp: number.otp,
						channel: 'VOICE',
					};
					let badFields = [];
					if (step.kind === 'bad') {
						for (const [field, spec] of step.bad) {
							const key = INPUT_KEY[field] ?? field;
							const value = build(spec, String(json[key]));
							if (value === MISSING) delete json[key];
							else json[key] = value;
						}
						badFields = step.bad.map(([field]) => field);
					} else if (step.kind === 'throws') {
						json.throwIn = step.field;
						json.throwKind = step.thrower;
						badFields = [step.field];
					}
					return { json, number, badFields };
				});
				const items = expected.map(({ json }) => ({ json }));
				const parameters = parametersThatMayThrow(operation);
				parameters.options.concurrency = concurrency;

				const { result, printed } = await capturingOutput(() =>
					runKaleyraNode({ parameters, items, credentials: credentialsFor(emulator) }),
				);
				assertEveryItemOnceInOrder(result, items, operation);
				assertNoKeyAnywhere(result, printed);

				const sent = emulator.requests.map((request) => request.json?.id);
				const good = expected.filter(({ badFields }) => badFields.length === 0);
				assert.deepEqual(
					[...sent].sort(),
					good.map(({ number }) => number.id).sort(),
					'[5] exactly one request per good item, none for a malformed one',
				);
				for (const item of result.failed) {
					const { badFields } = expected[item.pairedItem.item];
					const { error, attempts } = item.json;
					assert.ok(badFields.length > 0, `[5] a good item failed: ${JSON.stringify(error)}`);
					assert.equal(error.code, 'INVALID_INPUT', `[5] ${JSON.stringify(error)}`);
					assert.deepEqual([...error.fields].sort(), [...badFields].sort(), `[5] ${error.message}`);
					for (const field of badFields) {
						assert.ok(error.message.includes(field), `[5] the message does not name ${field}`);
						assert.equal(item.json[CONTEXT_KEY[field] ?? field], null, `[5] ${field} echoed`);
					}
					assert.ok(error.message.length < 1_000, '[5] the message repeats a huge value');
					assert.ok(error.hint.length > 0);
					assert.equal(error.httpStatus, null);
					assert.equal(error.retryable, false);
					assert.equal(attempts, 0);
				}
				for (const item of result.success) {
					const { badFields } = expected[item.pairedItem.item];
					assert.deepEqual(
						badFields,
						[],
						`[5] a malformed item succeeded: ${JSON.stringify(item.json)}`,
					);
					assert.equal(item.json.code, 'WA200');
					assert.equal(item.json.attempts, 1);
				}
			}),
			{ seed: SEED, numRuns: RUNS * 3 },
		);
	});
});
