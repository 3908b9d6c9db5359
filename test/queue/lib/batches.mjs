// Batches of mixed items, each item with a number of its own, what each must become, the faults
// that make Kaleyra "busy" for some, and the checks of an execution's outputs and of the
// requests the emulator received against those expectations.
import assert from 'node:assert/strict';
import { WABA } from './workflows.mjs';

/**
 * The kinds of item a batch mixes. `faults`: the emulator's answers, in order, to that number's
 * requests (WA500 "Please try again later" is Kaleyra saying it is busy; the node retries it,
 * up to the branch's Tries of 2). `expect`: the output, code and requests it must end with.
 */
export const KINDS = {
	right: { label: 'right OTP', expect: { output: 'success', code: 'WA200', attempts: 1 } },
	wrong: {
		label: 'wrong OTP',
		expect: { output: 'error', code: 'WA400', attempts: 1, retryable: false },
	},
	invalid: {
		label: 'invalid input (5-character OTP)',
		expect: { output: 'error', code: 'INVALID_INPUT', attempts: 0 },
	},
	busy: {
		label: 'Kaleyra busy on both tries',
		faults: ['wa500TryLater', 'wa500TryLater'],
		expect: { output: 'error', code: 'WA500', attempts: 2, retryable: true },
	},
	busyOnce: {
		label: 'Kaleyra busy once, then answers',
		faults: ['wa500TryLater'],
		expect: { output: 'success', code: 'WA200', attempts: 2 },
	},
};

/** 50 items: 20 right, 10 wrong, 10 invalid, 5 busy, 5 busy once. */
export const MIX_OF_50 = { right: 20, wrong: 10, invalid: 10, busy: 5, busyOnce: 5 };

const wrongOtp = (otp) => (otp === '111111' ? '222222' : '111111');

/** Splits `numbers` (from addNumbers) into `count` batches of the mix, interleaving the kinds. */
export function makeBatches(numbers, count, mix = MIX_OF_50, label = 'batch') {
	const perBatch = Object.values(mix).reduce((a, b) => a + b, 0);
	assert.ok(
		numbers.length >= count * perBatch,
		`need ${count * perBatch} numbers, got ${numbers.length}`,
	);
	const kinds = Object.entries(mix).flatMap(([kind, n]) => Array(n).fill(kind));
	// Spread the kinds through the batch, so busy and invalid items sit between good ones.
	const order = kinds
		.map((kind, i) => ({ kind, key: (i * 7919) % kinds.length }))
		.sort((a, b) => a.key - b.key);
	let next = 0;
	return Array.from({ length: count }, (_, b) => {
		const id = `${label}-${b + 1}`;
		const cases = order.map(({ kind }, i) => {
			const number = numbers[next++];
			const otp =
				kind === 'invalid' ? '12a45' : kind === 'wrong' ? wrongOtp(number.otp) : number.otp;
			return {
				kind,
				number,
				item: {
					case: `${id}/${i}`,
					kind,
					wabaId: WABA,
					phoneNumberId: number.id,
					phoneNumber: number.phoneNumber,
					otp,
				},
				expect: KINDS[kind].expect,
				faults: KINDS[kind].faults,
			};
		});
		return { id, cases, items: cases.map((c) => c.item) };
	});
}

/** The emulator's byPhoneNumberId fault sequences the batches' busy items need. */
export const faultsOf = (batches) =>
	Object.fromEntries(
		batches.flatMap((b) => b.cases.filter((c) => c.faults).map((c) => [c.number.id, c.faults])),
	);

/**
 * Checks a node's outputs against the batch: every item on exactly the output it belongs to, with
 * its code, attempts and retryable flag, none missing, none extra. Returns counts per output.
 */
export function checkOutputs([success, error], cases, where) {
	const seen = new Map();
	for (const [output, items] of [
		['success', success],
		['error', error],
	]) {
		for (const json of items) {
			assert.ok(!seen.has(json.phoneNumber), `${where}: ${json.phoneNumber} came out twice`);
			seen.set(json.phoneNumber, { output, json });
		}
	}
	for (const c of cases) {
		const got = seen.get(c.item.phoneNumber);
		assert.ok(got, `${where}: item ${c.item.case} (${c.kind}) is on neither output`);
		const code = got.json.success ? got.json.code : got.json.error?.code;
		const actual = { output: got.output, code, attempts: got.json.attempts };
		const wanted = { output: c.expect.output, code: c.expect.code, attempts: c.expect.attempts };
		if (c.expect.retryable !== undefined) {
			actual.retryable = got.json.error?.retryable;
			wanted.retryable = c.expect.retryable;
		}
		assert.deepEqual(actual, wanted, `${where}: item ${c.item.case} (${c.kind})`);
		assert.equal(
			got.json.success,
			c.expect.output === 'success',
			`${where}: item ${c.item.case} success flag`,
		);
	}
	assert.equal(seen.size, cases.length, `${where}: ${seen.size} items out for ${cases.length} in`);
	return { success: success.length, error: error.length };
}

/**
 * Checks the emulator's verify requests for these cases: each number received exactly as many
 * requests as its item reports (`attempts`), with its own OTP, and no request carries a number
 * outside the cases. Returns the number of requests.
 */
export function checkRequests(requests, cases, where) {
	const byId = new Map(cases.map((c) => [c.number.id, c]));
	const counts = new Map();
	for (const r of requests) {
		const c = byId.get(r.json?.id);
		if (!c) continue;
		assert.equal(r.json.otp, c.item.otp, `${where}: ${c.item.case} sent another OTP`);
		assert.equal(
			r.json.phone_number,
			c.item.phoneNumber,
			`${where}: ${c.item.case} sent another number`,
		);
		counts.set(c.number.id, (counts.get(c.number.id) ?? 0) + 1);
	}
	let total = 0;
	for (const c of cases) {
		const n = counts.get(c.number.id) ?? 0;
		assert.equal(
			n,
			c.expect.attempts,
			`${where}: emulator saw ${n} requests for ${c.item.case} (${c.kind}), expected ${c.expect.attempts}`,
		);
		total += n;
	}
	return total;
}
