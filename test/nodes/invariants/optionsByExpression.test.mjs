// Invariants 5b and 5c: a parameter whose expression throws or finds nothing, and a number
// option read per item that is not a number, refuse only their items, naming the parameter or
// option; the other items succeed. Every case also checks 1 and 4.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';

import { startKaleyraEmulator } from '../../../emulator/kaleyra-emulator.mjs';
import { runKaleyraNode } from '../../helpers/engine.mjs';
import { MAPPED_PARAMETERS, WABA_ID, credentialsFor } from '../../helpers/kaleyra.mjs';
import { assertEveryItemOnceInOrder, assertNoKeyAnywhere, capturingOutput } from './assertions.mjs';
import {
	FIELDS_OF,
	MALFORMED_POOL,
	MISSING,
	RUNS,
	SEED,
	build,
	emulatorHolding,
	raw,
	repeat,
} from './cases.mjs';

const VALID_VALUE = {
	wabaId: () => WABA_ID,
	phoneNumberId: (number) => number.id,
	phoneNumber: (number) => number.phoneNumber,
	otp: (number) => number.otp,
	typeVerification: () => 'VOICE',
};

// The three expressions that cannot give a value for any item, written as the whole parameter.
const WHOLE_PARAMETER_THROWERS = [
	"={{ $('Missing Node').item.json.x }}",
	"={{ (() => { throw new Error('boom') })() }}",
	'={{ $json.nothere.toUpperCase() }}',
];

// `={{ $json.a.b.c }}`: what an item holds under `a`. Only `good` gives the field a value.
const PATH_SHAPES = [
	'good',
	'good',
	'noA',
	'aNull',
	'aEmpty',
	'bNull',
	'bText',
	'cMissing',
	'cWrong',
];

function pathShape(shape, value) {
	switch (shape) {
		case 'good':
			return { a: { b: { c: value } } };
		case 'noA':
			return {};
		case 'aNull':
			return { a: null };
		case 'aEmpty':
			return { a: {} };
		case 'bNull':
			return { a: { b: null } };
		case 'bText':
			return { a: { b: 'text' } };
		case 'cMissing':
			return { a: { b: { d: value } } };
		default:
			return { a: { b: { c: [value] } } };
	}
}

const expressionCase = fc.constantFrom('verifyNumber', 'retryOtp').chain((operation) =>
	fc.record({
		operation: fc.constant(operation),
		field: fc.constantFrom(...FIELDS_OF[operation]),
		// -1: `={{ $json.a.b.c }}`, mixing good and bad items; else a thrower for every item.
		thrower: fc.integer({ min: -1, max: WHOLE_PARAMETER_THROWERS.length - 1 }),
		shapes: fc.array(fc.constantFrom(...PATH_SHAPES), { minLength: 1, maxLength: 10 }),
		concurrency: fc.integer({ min: 1, max: 8 }),
	}),
);

// Number options, each read per item by expression: a number is used (brought into the UI's
// range), anything else refuses the item. Timeouts stay within what a timer holds: above
// 2^31 - 1 ms see the fixed case in fixedCases.test.mjs.
const NUMBER_OPTIONS = {
	timeout: fc.integer({ min: 300, max: 2 ** 31 - 1 }),
	maxTries: fc.oneof(
		fc.integer({ min: -5, max: 20 }),
		fc.double({ min: -1e9, max: 1e9, noNaN: true }),
	),
	retryDelay: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(-Infinity)),
	maxRetryDelay: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.constant(Number.MAX_VALUE)),
};
const NOT_A_NUMBER = fc.constantFrom(
	MISSING,
	raw(null),
	raw(NaN),
	raw(''),
	raw('500'),
	raw(' 3 '),
	raw('1e3'),
	raw(true),
	raw(false),
	raw({}),
	raw([]),
	raw([3]),
	raw({ value: 3 }),
	raw('３'),
	repeat('9', 100_000),
);

const optionsCase = fc.record({
	operation: fc.constantFrom('verifyNumber', 'retryOtp'),
	plan: fc.array(
		fc.record(
			Object.fromEntries(
				Object.entries(NUMBER_OPTIONS).map(([name, valid]) => [
					name,
					fc.oneof(
						{ weight: 3, arbitrary: valid.map(raw) },
						{ weight: 1, arbitrary: NOT_A_NUMBER },
					),
				]),
			),
		),
		{ minLength: 1, maxLength: 10 },
	),
	concurrency: fc.integer({ min: 1, max: 8 }),
});

describe('Invariants for expressions and options read per item', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator(emulatorHolding(MALFORMED_POOL));
	});
	after(() => emulator.close());

	/** Runs `parameters` on `items` and checks 1, 4 and 5 against `badFieldsOf(index)`. */
	async function runAndCheck(operation, parameters, items, badFieldsOf) {
		emulator.reset();
		const { result, printed } = await capturingOutput(() =>
			runKaleyraNode({ parameters, items, credentials: credentialsFor(emulator) }),
		);
		assertEveryItemOnceInOrder(result, items, operation);
		assertNoKeyAnywhere(result, printed);
		const sent = emulator.requests.map((request) => request.json?.id).sort();
		const goodIds = items
			.map((_, index) => index)
			.filter((index) => badFieldsOf(index).length === 0)
			.map((index) => MALFORMED_POOL[index].id)
			.sort();
		assert.deepEqual(sent, goodIds, '[5] one request per good item, none for a refused one');
		for (const item of result.failed) {
			const bad = badFieldsOf(item.pairedItem.item);
			const { error, attempts } = item.json;
			assert.ok(bad.length > 0, `[5] a good item failed: ${JSON.stringify(error)}`);
			assert.equal(error.code, 'INVALID_INPUT', `[5] ${JSON.stringify(error)}`);
			assert.deepEqual([...error.fields].sort(), [...bad].sort(), `[5] ${error.message}`);
			for (const field of error.fields)
				assert.ok(error.message.includes(field), `[5] ${field} not in the message`);
			assert.ok(error.message.length < 1_000, '[5] the message repeats a huge value');
			assert.equal(attempts, 0);
		}
		for (const item of result.success) {
			assert.deepEqual(badFieldsOf(item.pairedItem.item), [], '[5] a refused item succeeded');
			assert.equal(item.json.code, 'WA200');
		}
		return result;
	}

	it('5b. a parameter whose expression throws or finds nothing refuses only its items, naming it', async () => {
		await fc.assert(
			fc.asyncProperty(
				expressionCase,
				async ({ operation, field, thrower, shapes, concurrency }) => {
					const parameters = {
						...MAPPED_PARAMETERS[operation],
						[field]: thrower < 0 ? '={{ $json.a.b.c }}' : WHOLE_PARAMETER_THROWERS[thrower],
						options: { concurrency, retryDelay: 1, maxRetryDelay: 20 },
					};
					const items = shapes.map((shape, index) => {
						const number = MALFORMED_POOL[index];
						const json = {
							wabaId: WABA_ID,
							phoneNumberId: number.id,
							phoneNumber: number.phoneNumber,
							otp: number.otp,
							channel: 'VOICE',
							...pathShape(shape, VALID_VALUE[field](number)),
						};
						return { json };
					});
					const badFieldsOf = (index) => (thrower < 0 && shapes[index] === 'good' ? [] : [field]);
					await runAndCheck(operation, parameters, items, badFieldsOf);
				},
			),
			{ seed: SEED + 7, numRuns: RUNS },
		);
	});

	it('5c. a number option read per item that is not a number refuses that item, naming the option', async () => {
		await fc.assert(
			fc.asyncProperty(optionsCase, async ({ operation, plan, concurrency }) => {
				const options = { concurrency };
				for (const name of Object.keys(NUMBER_OPTIONS)) options[name] = `={{ $json.opts.${name} }}`;
				const parameters = { ...MAPPED_PARAMETERS[operation], options };
				const items = plan.map((specs, index) => {
					const number = MALFORMED_POOL[index];
					const opts = {};
					for (const [name, spec] of Object.entries(specs)) {
						const value = build(spec, '');
						if (value !== MISSING) opts[name] = value;
					}
					return {
						json: {
							wabaId: WABA_ID,
							phoneNumberId: number.id,
							phoneNumber: number.phoneNumber,
							otp: number.otp,
							channel: 'SMS',
							opts,
						},
					};
				});
				const badFieldsOf = (index) =>
					Object.entries(plan[index])
						.filter(
							([, spec]) => spec.missing || typeof spec.raw !== 'number' || Number.isNaN(spec.raw),
						)
						.map(([name]) => `options.${name}`);
				// Every bad option of an item is named, as every bad parameter is.
				const result = await runAndCheck(operation, parameters, items, badFieldsOf);
				for (const item of result.success) assert.equal(item.json.attempts, 1);
			}),
			{ seed: SEED + 8, numRuns: RUNS },
		);
	});
});
