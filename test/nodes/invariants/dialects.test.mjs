// The invariants over all five operations and every value of every dialect axis (the ways
// Kaleyra may answer, emulator/dialect.mjs): every item once, on the branch that tells the
// truth, paired; nothing that may have reached Kaleyra sent again by an operation that is not
// safe to repeat (Add Number like Verify Number and Retry OTP); no key or full OTP in any
// output; derived fields only copy Kaleyra's raw values. Each operation is run once per axis
// value, the other axes, the batch, the faults and the options drawn at random (seeded: a
// failure prints the seed and path that replay it). Get Many Numbers draws Return All or a
// Limit per item, so the pages of the paging axis are followed and counted; Add Number's
// look-up of a number already there reads the list in every shape and paging too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';

import { DIALECT_AXES, FAULT_CLASSES, startKaleyraEmulator } from '../../../emulator/kaleyra-emulator.mjs';
import { runKaleyraNode } from '../../helpers/engine.mjs';
import { DEFAULT_ACCOUNT, MAPPED_PARAMETERS, WABA_ID, credentialsFor } from '../../helpers/kaleyra.mjs';
import { assertNoKeyAnywhere, assertNoOtpInOutputs, capturingOutput } from './assertions.mjs';
import {
	POOL,
	SEED,
	SLOW_FAULTS,
	SMALL_FAULTS,
	TIMEOUT_MS,
	emulatorHolding,
	faultMix,
	judge,
	pad,
} from './cases.mjs';

const OPERATIONS = ['addNumber', 'getManyNumbers', 'getNumberDetails', 'retryOtp', 'verifyNumber'];
const NOT_SAFE_TO_REPEAT = new Set(['addNumber', 'retryOtp', 'verifyNumber']);
const RUNS_PER_VALUE = Number(process.env.INVARIANTS_DIALECT_RUNS ?? 3);
const MAX_RETRY_DELAY_MS = 20;
// Quick faults only (no hang or trickle: see SLOW_FAULTS), of every class of the
// emulator's one classification (emulator/faultClasses.mjs), with one redirect of the five.
const FAULTS = Object.keys(FAULT_CLASSES).filter(
	(kind) => !SLOW_FAULTS.includes(kind) && (!kind.startsWith('redirect') || kind === 'redirect302'),
);
const OTHER_WABA = '766000000000999';

const axisValue = (axis) => fc.constantFrom(...DIALECT_AXES[axis]);
const dialectWith = (axis, value) =>
	fc.record({
		...Object.fromEntries(Object.keys(DIALECT_AXES).map((name) => [name, axisValue(name)])),
		pageSize: fc.integer({ min: 1, max: 4 }),
		[axis]: fc.constant(value),
	});

const variant = fc.record({
	kind: fc.constantFrom('good', 'good', 'good', 'other', 'invalid'),
	channel: fc.constantFrom('SMS', 'VOICE'),
	// Get Many Numbers only: all the pages, or the first Limit numbers.
	returnAll: fc.boolean(),
	limit: fc.integer({ min: 1, max: 30 }),
});
// Get Many Numbers' Return All and Limit, per item.
const PARAMETERS = {
	...MAPPED_PARAMETERS,
	getManyNumbers: {
		...MAPPED_PARAMETERS.getManyNumbers,
		returnAll: '={{ $json.returnAll }}',
		limit: '={{ $json.limit }}',
	},
};

const caseWith = (operation, axis, value) =>
	fc.record({
		operation: fc.constant(operation),
		dialect: dialectWith(axis, value),
		picks: fc.shuffledSubarray(
			POOL.map((_, index) => index),
			{ minLength: 1, maxLength: 6 },
		),
		variants: fc.array(variant, { minLength: 6, maxLength: 6 }),
		faults: faultMix(fc.constantFrom(0, 0, 0.25, 0.5), FAULTS),
		concurrency: fc.integer({ min: 1, max: 4 }),
		maxTries: fc.integer({ min: 1, max: 3 }),
		retryUncertain: fc.boolean(),
		treatAlreadyApprovedAsSuccess: fc.boolean(),
	});

/**
 * An input item of `operation` for pool number `pick`, and how to find its requests in the
 * emulator's log. 'other' is a value Kaleyra refuses (unknown number or id, another WABA, a
 * number already added); 'invalid' one the node refuses before sending.
 */
function itemOf(operation, pick, { kind, channel, returnAll, limit }, index) {
	const number = POOL[pick];
	const digits = number.phoneNumber.slice(1);
	switch (operation) {
		case 'addNumber': {
			// A new number per item, or (other) one already on the account.
			const phoneNumber = kind === 'other' ? number.phoneNumber : `+9188${pad(pick, 4)}${pad(index, 4)}`;
			return {
				json: {
					wabaId: WABA_ID,
					phoneNumber,
					countryCode: '91',
					displayName: kind === 'invalid' ? 'x' : `Acme ${pick}`,
					channel,
				},
				mine: (request) => request.json?.phone_number === phoneNumber.slice(3),
				invalid: kind === 'invalid',
			};
		}
		case 'getManyNumbers': {
			const wabaId = kind === 'other' ? OTHER_WABA : kind === 'invalid' ? 'abc' : WABA_ID;
			return { json: { wabaId, returnAll, limit }, mine: null, invalid: kind === 'invalid', returnAll, limit };
		}
		case 'getNumberDetails': {
			const phoneNumber = kind === 'other' ? `+1415555${pad(pick, 4)}` : kind === 'invalid' ? '12' : number.phoneNumber;
			const target = phoneNumber.slice(1);
			return {
				json: { phoneNumber },
				mine: (request) => new RegExp(`/(%2B|\\+)?${target}/`).test(request.path),
				invalid: kind === 'invalid',
			};
		}
		default: {
			const id = kind === 'other' ? `9${pad(pick, 2)}${number.id}` : number.id;
			return {
				json: {
					wabaId: WABA_ID,
					phoneNumberId: id,
					phoneNumber: number.phoneNumber,
					otp: kind === 'invalid' ? '12-x' : number.otp,
					channel: kind === 'invalid' ? 'WHATSAPP' : channel,
				},
				mine: (request) => request.json?.id === id,
				invalid: kind === 'invalid',
				number,
				digits,
			};
		}
	}
}

// The derived fields and the raw keys they copy.
const COPIES = {
	status: 'status',
	qualityRating: 'quality_rating',
	messagingLimitTier: 'messaging_limit_tier',
	messagingLimit: 'whatsapp_business_manager_messaging_limit',
	maxDailyConversations: 'max_daily_conversations_per_business',
	canSendMessage: 'can_send_message',
	canReceiveCall: 'can_receive_call',
	canReceiveCallSip: 'can_receive_call_sip',
	nameStatus: 'name_status',
};

function assertRawCopies(json, where) {
	const source = json.data;
	if (typeof source !== 'object' || source === null || Array.isArray(source)) return;
	for (const [ours, theirs] of Object.entries(COPIES)) {
		const raw = source[theirs];
		if (raw === null || raw === undefined || raw === '') {
			assert.ok(!(ours in json), `${where}: ${ours} invented (${JSON.stringify(json[ours])}) for ${theirs} ${raw}`);
		} else if (ours in json) {
			assert.equal(json[ours], raw, `${where}: ${ours} is not ${theirs}'s raw value`);
		}
	}
}

/** Every input item on exactly one branch, paired to itself; one output each but for lists. */
function assertEveryInputOnce(result, items, operation) {
	assert.equal(result.error, undefined, `[1 once] the run failed: ${result.error?.message}`);
	const branchOf = new Map();
	for (const [branch, ok] of [
		['success', true],
		['failed', false],
	]) {
		let previous = -1;
		for (const { json, pairedItem } of result[branch]) {
			const index = pairedItem.item;
			assert.equal(json.success, ok, `[1 once] success flag on ${branch}`);
			assert.equal(json.operation, operation);
			assert.ok(index >= previous, `[1 once] ${branch} out of input order`);
			if (operation !== 'getManyNumbers' || branch === 'failed')
				assert.ok(index > previous, `[1 once] item ${index} twice on ${branch}`);
			previous = index;
			assert.ok(!branchOf.has(index) || branchOf.get(index) === branch, `[1 once] item ${index} on both branches`);
			branchOf.set(index, branch);
		}
	}
	assert.deepEqual(
		[...branchOf.keys()].sort((a, b) => a - b),
		items.map((_, index) => index),
		'[1 once] every input item leaves',
	);
}

describe('Invariants in every dialect, for every operation', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator(emulatorHolding(POOL));
	});
	after(() => emulator.close());

	const seen = new Set();

	async function check(testCase) {
		const { operation, dialect } = testCase;
		emulator.reset();
		emulator.setDialect(dialect);
		emulator.setFaults({ ...testCase.faults, ...SMALL_FAULTS });
		const cases = testCase.picks.map((pick, index) =>
			itemOf(operation, pick, testCase.variants[index], index),
		);
		const items = cases.map(({ json }) => ({ json }));
		const { result, printed } = await capturingOutput(
			() =>
				runKaleyraNode({
					parameters: { ...PARAMETERS[operation], options: {
						concurrency: testCase.concurrency,
						timeout: TIMEOUT_MS,
						maxTries: testCase.maxTries,
						retryUncertain: testCase.retryUncertain,
						retryDelay: 1,
						maxRetryDelay: MAX_RETRY_DELAY_MS,
						...(['verifyNumber', 'retryOtp'].includes(operation)
							? { treatAlreadyApprovedAsSuccess: testCase.treatAlreadyApprovedAsSuccess }
							: {}),
					} },
					items,
					credentials: credentialsFor(emulator),
				}),
		);
		for (const [axis, value] of Object.entries(dialect)) seen.add(`${axis}=${value}`);

		assertEveryInputOnce(result, items, operation);
		assertNoKeyAnywhere(result, printed);
		assertNoOtpInOutputs(result, items);

		// Known numbers and no faults: whatever path form Kaleyra takes, every item is a Success,
		// learned with at most one extra request in the run.
		const calm = Object.keys(testCase.faults.probabilities).length === 0;
		const allGood = testCase.picks.every((_, index) => testCase.variants[index].kind === 'good');
		if (operation === 'getNumberDetails' && calm && allGood) {
			assert.equal(result.failed.length, 0, `details in ${dialect.detailsPath}: ${JSON.stringify(result.failed[0]?.json.error)}`);
			assert.ok(emulator.requests.length <= items.length + 1, 'more than one extra request in the run');
		}

		// Return All and Limit, whatever the list's shape and paging: each item gets the first Limit
		// numbers of the WABA, or all of them, each once, by one request per page.
		if (operation === 'getManyNumbers' && calm && allGood) {
			const all = Object.entries(emulator.numbers())
				.filter(([, number]) => number.wabaId === WABA_ID)
				.map(([id]) => id);
			let pages = 0;
			cases.forEach(({ returnAll, limit }, index) => {
				const wanted = returnAll ? all.length : Math.min(limit, all.length);
				const ids = result.success.filter(({ pairedItem }) => pairedItem.item === index).map(({ json }) => json.phoneNumberId);
				assert.equal(ids.length, wanted, `getManyNumbers item ${index} (${JSON.stringify({ returnAll, limit, dialect })})`);
				assert.equal(new Set(ids).size, ids.length, `a number twice in ${JSON.stringify(dialect)}`);
				assert.ok(ids.every((id) => all.includes(id)), `a number not in the WABA in ${JSON.stringify(dialect)}`);
				pages += dialect.paging === 'cursor' ? Math.max(1, Math.ceil(wanted / dialect.pageSize)) : 1;
			});
			assert.equal(emulator.requests.length, pages, `pages asked for in ${JSON.stringify(dialect)}`);
		}

		const outputs = [
			...result.success.map((item) => ({ branch: 'success', item })),
			...result.failed.map((item) => ({ branch: 'failed', item })),
		];
		for (const { branch, item } of outputs) {
			const at = cases[item.pairedItem.item];
			const { json } = item;
			const where = `${operation} item ${item.pairedItem.item} (${JSON.stringify(dialect)})`;
			if (at.invalid) {
				assert.equal(branch, 'failed', `${where}: malformed input succeeded`);
				assert.equal(json.error.code, 'INVALID_INPUT');
				continue;
			}
			const requests = at.mine ? emulator.requests.filter(at.mine) : [];
			// The emulator's own answer, not a fault's (an echo answers WA200 in any dialect).
			const answeredByKaleyra = requests.length > 0 && requests.at(-1).fault === null;
			// Recover Existing Number: Kaleyra refused the add as already there (WA400), and the
			// look-up found the number in the WABA's list, through its pages.
			const recovered = branch === 'success' && json.alreadyExisted === true;
			if (recovered) {
				assert.equal(operation, 'addNumber', `${where}: alreadyExisted`);
				assert.equal(json.kaleyraCode, 'WA400', `${where}: recovered from ${json.kaleyraCode}`);
				assert.equal(emulator.numbers()[json.phoneNumberId]?.phoneNumber, json.phoneNumber);
				assert.equal(emulator.numbers()[json.phoneNumberId]?.wabaId, WABA_ID);
			}
			if (operation === 'addNumber' && calm && testCase.variants[item.pairedItem.item].kind === 'other') {
				assert.ok(recovered, `${where}: a number already there, not recovered (${json.error?.code})`);
				assert.equal(json.phoneNumberId, POOL[testCase.picks[item.pairedItem.item]].id);
			}
			if (branch === 'success') {
				// One shape whatever the dialect: plain words first, `data` an object.
				assert.deepEqual(Object.keys(json).slice(0, 2), ['success', 'outcome'], `${where}: outcome leads`);
				const { data } = json;
				assert.ok(typeof data === 'object' && data !== null && !Array.isArray(data), `${where}: data ${JSON.stringify(data)}`);
			}
			if (branch === 'success' && !recovered) {
				assertRawCopies(json, where);
				// `code` is only ever Kaleyra's yes; an already approved keeps its WA500 as kaleyraCode.
				if (json.alreadyApproved === true) assert.equal(json.kaleyraCode, 'WA500', `${where}: kaleyraCode`);
				else assert.ok(['WA200', 'WA202'].includes(json.code), `${where}: success with ${json.code}`);
				if (answeredByKaleyra && json.alreadyApproved !== true)
					assert.equal(json.code, dialect.accepted, `${where}: success code`);
			}
			// An echo fault answers WA200 on any path: only Kaleyra's own yes tells the form.
			if (operation === 'getNumberDetails' && branch === 'success' && answeredByKaleyra) {
				const taken = dialect.detailsPath === 'both' ? ['plus', 'digits'] : [dialect.detailsPath];
				assert.ok(taken.includes(json.pathForm), `${where}: pathForm ${json.pathForm}`);
			}
			if (operation === 'addNumber' && branch === 'success' && !recovered && answeredByKaleyra) {
				assert.equal(typeof json.phoneNumberId, 'string', `${where}: no phoneNumberId`);
				assert.equal(json.phoneNumberId.length, dialect.idLength, `${where}: id length`);
				assert.equal(emulator.numbers()[json.phoneNumberId]?.phoneNumber, json.phoneNumber);
			}
			if (!at.mine) continue;
			const judged = requests.map((request) => judge(request, at.number, testCase.faults));
			// The truth on the branch: any yes from Kaleyra is a Success; a Success had a yes.
			if (judged.some(({ accepted }) => accepted)) {
				assert.equal(branch, 'success', `${where}: accepted, yet on Error (${json.error?.code})`);
			}
			if (branch === 'success' && !recovered) {
				const last = judged.at(-1);
				assert.ok(
					last && (last.status === 200 || last.status === 202 || last.approved || json.kaleyraCode === 'WA500'),
					`${where}: a Success without Kaleyra's yes`,
				);
			}
			if (NOT_SAFE_TO_REPEAT.has(operation) && !testCase.retryUncertain) {
				const acted = judged.filter(({ mayHaveActed }) => mayHaveActed).length;
				assert.ok(acted <= 1, `${where}: ${acted} requests that may have reached Kaleyra`);
				if (acted === 1) assert.ok(judged.at(-1).mayHaveActed, `${where}: sent again after it may have acted`);
			}
			assert.ok(requests.length <= testCase.maxTries + (operation === 'getNumberDetails' ? testCase.maxTries : 0));
		}
	}

	let offset = 0;
	for (const operation of OPERATIONS) {
		it(`${operation}: every axis value`, async () => {
			for (const [axis, values] of Object.entries(DIALECT_AXES)) {
				for (const value of values) {
					await fc.assert(fc.asyncProperty(caseWith(operation, axis, value), check), {
						seed: SEED + 1000 + offset++,
						numRuns: RUNS_PER_VALUE,
						includeErrorInReport: true,
					});
				}
			}
		});
	}

	it('exercised every value of every axis', () => {
		for (const [axis, values] of Object.entries(DIALECT_AXES)) {
			for (const value of values) assert.ok(seen.has(`${axis}=${value}`), `${axis}=${value} never ran`);
		}
		assert.ok(DEFAULT_ACCOUNT.wabaIds.includes(WABA_ID));
	});
});
