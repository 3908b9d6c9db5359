// Property-based invariants: random batches (fixture and extra numbers, good and bad OTPs,
// unknown ids, both operations), random fault mixes, random concurrency, run in n8n's own
// engine against the emulator. fast-check is seeded: a failure prints the seed and the path
// that replay it (INVARIANTS_SEED / INVARIANTS_RUNS override both for a longer hunt).
//
// Each item's requests are found in the emulator's log by the phone number ID it sent,
// unique per item in a batch, and judged by what the emulator did with them (`fault`,
// `status`, `code`), independently of what the node says about them.
//
// This module holds what the property files of this folder share: the number pools, the
// fault classes and mixes, the judge, the random batch and its run. One file per property:
//   everyItemOnce (1), acceptedNeverError (2), noUnrequestedRepeat (3), noSecret (4),
//   malformedInput (5), concurrencyIndependence (1b), optionsByExpression (5b, 5c), dialects
//   (1-4 over all five operations in every dialect of the emulator), and
//   fixedCases (what the properties once found, as minimal cases).
import { after, before } from 'node:test';

import fc from 'fast-check';

import {
	FAULT_CLASSES,
	FAULT_KINDS as EMULATOR_FAULT_KINDS,
	RESPONSES,
	faultClass,
	startKaleyraEmulator,
} from '../../../emulator/kaleyra-emulator.mjs';
import { freePort } from '../../../scripts/n8n/ports.mjs';
import { NUMBERS, WABA_ID, credentialsFor, runOperation } from '../../helpers/kaleyra.mjs';
import {
	assertEveryItemOnceInOrder,
	assertNoKeyAnywhere,
	assertNoOtpInOutputs,
	capturingOutput,
} from './assertions.mjs';

export const SEED = Number(process.env.INVARIANTS_SEED ?? 20261123);
export const RUNS = Number(process.env.INVARIANTS_RUNS ?? 40);

export const pad = (value, length) => String(value).padStart(length, '0');

// ---------------------------------------------------------------------------------------
// 1-4 and 1b: random batches under random fault mixes
// ---------------------------------------------------------------------------------------

// The fixtures, plus numbers of every state; some ids of 17 digits (strings only).
export const STATES = ['pending', 'pending', 'approved', 'unavailable'];
export const POOL = [
	...Object.values(NUMBERS),
	...Array.from({ length: 18 }, (_, index) => ({
		id: index % 3 === 0 ? `2${pad(index, 16)}` : `20000000000${pad(index, 4)}`,
		phoneNumber: `+9197655${pad(index, 4)}`,
		otp: pad((index * 7919 + 3) % 1_000_000, 6),
		state: STATES[index % STATES.length],
	})),
];
export const POOL_BY_ID = new Map(POOL.map((number) => [number.id, number]));

// Which faults a repeat may follow, and which may have acted, come from the emulator's one
// classification (emulator/faultClasses.mjs): what each does at the server, and what a client
// can know of it. The judge below reads it through faultClass.
// A server that echoes the request, api-key and OTP included, after Kaleyra acted on it.
export const ECHO_FAULTS = EMULATOR_FAULT_KINDS.filter((kind) => FAULT_CLASSES[kind].echoesRequest);
// Faults only the node's Timeout ends. The random cases leave them out: they need a Timeout short
// enough to keep a case fast, and on a busy machine so short a Timeout also ends answers that
// were merely late, which no invariant can tell from a hang. Their own batch case, with a short
// Timeout for the hung item only, is in slowFaults.test.mjs.
export const SLOW_FAULTS = ['hang', 'trickle'];
// Real Kaleyra bodies handed out unprocessed.
export const SCRIPTED_ANSWERS = [
	'answer:otpResent',
	'answer:alreadyApproved',
	'answer:tryLater',
	'answer:authFailed',
	'answer:wabaNotOwned',
	'answer:invalidPhoneNumber',
];
export const FAULT_KINDS = [
	...EMULATOR_FAULT_KINDS.filter((kind) => !SLOW_FAULTS.includes(kind)),
	...SCRIPTED_ANSWERS,
];

// No quick fault comes near it, so a late answer on a loaded machine is never taken for a lost one.
export const TIMEOUT_MS = 30_000;
// Big enough to pass the node's 1 MiB cap, small enough to keep a case fast.
export const SMALL_FAULTS = {
	hangMs: 2_000,
	tooLargeBytes: 1_200_000,
	oversizedBytes: 2_000_000,
	gzipBombBytes: 4_000_000,
};
export const MAX_RETRY_DELAY_MS = 20;

export const OWN_CODE_OF_FAULT = {
	http429: 'RATE_LIMITED',
	http429RetryAfter: 'RATE_LIMITED',
	http503: 'HTTP_ERROR',
	forwarded503: 'HTTP_ERROR',
	wa500TryLater: 'WA500',
	http500: 'HTTP_ERROR',
	html: 'HTTP_ERROR',
	reset: 'CONNECTION_LOST',
	midBodyReset: 'CONNECTION_LOST',
	hang: 'TIMEOUT',
	trickle: 'TIMEOUT',
	malformedJson: 'INVALID_RESPONSE',
	empty: 'INVALID_RESPONSE',
	tooLarge: 'INVALID_RESPONSE',
	oversized: 'INVALID_RESPONSE',
	gzipBomb: 'INVALID_RESPONSE',
	endless: 'INVALID_RESPONSE',
	gzipCorrupt: 'INVALID_RESPONSE',
	redirect301: 'REDIRECT',
	redirect302: 'REDIRECT',
	redirect303: 'REDIRECT',
	redirect307: 'REDIRECT',
	redirect308: 'REDIRECT',
	wa500Late: 'WA500',
};

/**
 * What one logged request amounted to, from the emulator's side:
 * - accepted: Kaleyra's success reached the node (2xx WA200 or WA202);
 * - approved: Kaleyra's "already approved" reached the node;
 * - repeat: 'safe' (nothing happened and Kaleyra asked for it), 'uncertain' (may have taken
 *   effect; repeated only with retryUncertain) or 'never' (a final answer, or a Retry-After
 *   longer than Max Retry Wait);
 * - mayHaveActed: the verify / OTP resend took or may have taken effect, as far as the node
 *   can know;
 * - code: the error code the item must carry if this is its last request.
 */
export function judge(request, number, faults) {
	const { fault } = request;
	if (fault === null || fault.startsWith('answer:')) {
		const scripted = fault && RESPONSES[fault.slice('answer:'.length)];
		const status = scripted ? scripted.status : request.status;
		const code = scripted ? scripted.body.code : request.code;
		// The emulator's own WA500s: "try again later" for unavailable numbers, else "already approved".
		const message = scripted
			? scripted.body.message
			: code === 'WA500' && number?.state === 'unavailable'
				? 'Please try again later'
				: 'already approved';
		const tryLater = code === 'WA500' && /try again later/i.test(message);
		const approved = code === 'WA500' && /already approved/i.test(message);
		return {
			status,
			code: code === 'WA-401' ? 'WA401' : code,
			accepted: ['WA200', 'WA202'].includes(code) && status >= 200 && status < 300,
			approved,
			repeat: tryLater ? 'safe' : 'never',
			mayHaveActed: fault === null && !tryLater,
		};
	}
	const { server, client, code, echoesRequest } = faultClass(fault);
	const retryAfterMs =
		fault === 'http429RetryAfter' || (fault === 'http503' && faults.retryAfterOn503)
			? faults.retryAfterSeconds * 1000
			: 0;
	const accepted = echoesRequest === true && code === 'WA200';
	return {
		status: request.status,
		code: echoesRequest ? code : OWN_CODE_OF_FAULT[fault],
		accepted,
		approved: false,
		// A longer Retry-After than Max Retry Wait is not waited for.
		repeat: client === 'final' || retryAfterMs > MAX_RETRY_DELAY_MS ? 'never' : client,
		mayHaveActed: server === 'processed' || client === 'uncertain',
	};
}

export const itemVariant = fc.record({
	kind: fc.constantFrom('good', 'good', 'good', 'wrongOtp', 'unknownId', 'wrongPhone', 'invalid'),
	idAsNumber: fc.boolean(),
	channel: fc.constantFrom('SMS', 'VOICE', 'sms', 'Voice'),
});

/** Probabilities of a few fault kinds, adding up to `share` of the requests. */
export const faultMix = (share, kinds = FAULT_KINDS) =>
	fc
		.record({
			weights: fc.dictionary(fc.constantFrom(...kinds), fc.integer({ min: 1, max: 10 }), {
				maxKeys: 6,
			}),
			share,
			seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
			latencyMs: fc.integer({ min: 0, max: 5 }),
			retryAfterSeconds: fc.constantFrom(0, 0, 60),
			retryAfterOn503: fc.boolean(),
		})
		.map(({ weights, share, ...rest }) => {
			const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
			const probabilities = Object.fromEntries(
				Object.entries(weights).map(([kind, weight]) => [kind, (share * weight) / total]),
			);
			return { ...rest, probabilities };
		});

/** A random case; `overrides` replaces some of its arbitraries (property 4 leans on errors). */
export function batchCase(overrides = {}) {
	return fc.record({
		operation: fc.constantFrom('verifyNumber', 'retryOtp'),
		picks: fc.shuffledSubarray(
			POOL.map((_, index) => index),
			{ minLength: 1, maxLength: 12 },
		),
		variants: fc.array(itemVariant, { minLength: 12, maxLength: 12 }),
		faults: faultMix(fc.constantFrom(0, 0.25, 0.5, 0.75)),
		// Mostly the emulator; sometimes a wrong SID (RBC001) or nothing listening at all.
		target: fc.constantFrom(
			'emulator',
			'emulator',
			'emulator',
			'emulator',
			'wrongSid',
			'closedPort',
		),
		concurrency: fc.integer({ min: 1, max: 8 }),
		requestsPerSecond: fc.constantFrom(0, 0, 0, 250),
		maxTries: fc.integer({ min: 1, max: 4 }),
		retryUncertain: fc.boolean(),
		treatAlreadyApprovedAsSuccess: fc.boolean(),
		...overrides,
	});
}

/** The items of a case, and for each the id its requests carry and what to expect of it. */
export function itemsOf(testCase) {
	return testCase.picks.map((pick, index) => {
		const number = POOL[pick];
		const { kind, idAsNumber, channel } = testCase.variants[index];
		// An id Kaleyra does not know, unique per item like the pool's own.
		const id = kind === 'unknownId' ? `9${pad(pick, 2)}${number.id}` : number.id;
		const json = {
			wabaId: WABA_ID,
			phoneNumberId: idAsNumber && Number.isSafeInteger(Number(id)) ? Number(id) : id,
			phoneNumber: kind === 'wrongPhone' ? `+1415555${pad(pick, 4)}` : number.phoneNumber,
			otp:
				kind === 'wrongOtp'
					? `${number.otp.slice(0, 5)}${(Number(number.otp[5]) + 1) % 10}`
					: number.otp,
			channel,
		};
		let invalidField;
		if (kind === 'invalid') {
			invalidField = testCase.operation === 'verifyNumber' ? 'otp' : 'typeVerification';
			if (invalidField === 'otp') json.otp = `${number.otp.slice(0, 3)}-x`;
			else json.channel = 'WHATSAPP';
		}
		return { json, id, number: POOL_BY_ID.get(id), invalidField };
	});
}

/** Runs one case and returns the node's result, what it printed, and each item's requests. */
export async function runBatch(emulator, closedPort, testCase) {
	emulator.reset();
	emulator.setFaults({ ...testCase.faults, ...SMALL_FAULTS });
	const cases = itemsOf(testCase);
	const items = cases.map(({ json }) => ({ json }));
	const credentials = credentialsFor(emulator, {
		...(testCase.target === 'wrongSid' ? { sid: 'HXAP16000000098IN' } : {}),
		...(testCase.target === 'closedPort' ? { baseUrl: `http://127.0.0.1:${closedPort}` } : {}),
	});
	const { result, printed } = await capturingOutput(() =>
		runOperation(emulator, testCase.operation, items, {
			credentials,
			options: {
				concurrency: testCase.concurrency,
				requestsPerSecond: testCase.requestsPerSecond,
				timeout: TIMEOUT_MS,
				maxTries: testCase.maxTries,
				retryUncertain: testCase.retryUncertain,
				retryDelay: 1,
				maxRetryDelay: MAX_RETRY_DELAY_MS,
				treatAlreadyApprovedAsSuccess: testCase.treatAlreadyApprovedAsSuccess,
			},
		}),
	);
	const requestsOf = (id) => emulator.requests.filter((request) => request.json?.id === id);
	const outputs = [
		...result.success.map((item) => ({ branch: 'success', item })),
		...result.failed.map((item) => ({ branch: 'failed', item })),
	].map((output) => {
		const at = cases[output.item.pairedItem.item];
		return { ...output, ...at, requests: requestsOf(at.id) };
	});
	return { result, printed, items, cases, outputs };
}

/** Emulator options whose numbers are `pool`'s, in the states it gives them. */
export function emulatorHolding(pool) {
	return {
		numbers: Object.fromEntries(
			pool.map(({ id, phoneNumber, otp, state }) => [id, { phoneNumber, otp, state }]),
		),
	};
}

/**
 * For a file of properties 1-4: one emulator holding POOL and a port nothing listens on, and
 * `property(offset, check, cases)`, which runs `check` on RUNS random batches seeded SEED + offset.
 */
export function useBatchProperties() {
	let emulator;
	let closedPort;
	before(async () => {
		emulator = await startKaleyraEmulator(emulatorHolding(POOL));
		closedPort = await freePort();
	});
	after(() => emulator.close());

	// Each property draws its own cases (its own seed), and every case also checks 1 and 4.
	const property = (offset, check, cases = batchCase()) =>
		fc.assert(
			fc.asyncProperty(cases, async (testCase) => {
				const run = await runBatch(emulator, closedPort, testCase);
				assertEveryItemOnceInOrder(run.result, run.items, testCase.operation);
				assertNoKeyAnywhere(run.result, run.printed);
				assertNoOtpInOutputs(run.result, run.items);
				check(testCase, run);
			}),
			{ seed: SEED + offset, numRuns: RUNS },
		);

	return { property, emulator: () => emulator };
}

// ---------------------------------------------------------------------------------------
// 5, 5b, 5c: malformed input, and expressions and options read per item
// ---------------------------------------------------------------------------------------

export const FIELDS_OF = {
	verifyNumber: ['wabaId', 'phoneNumberId', 'phoneNumber', 'otp'],
	retryOtp: ['wabaId', 'phoneNumberId', 'phoneNumber', 'typeVerification'],
};
// Where each parameter reads from in the item, and where the output item echoes it.
export const INPUT_KEY = { typeVerification: 'channel' };
export const CONTEXT_KEY = { typeVerification: 'channel' };

// How a bad value is described in a case: built at item time, so a counterexample stays short.
export const raw = (value) => ({ raw: value });
export const repeat = (text, times) => ({ repeat: text, times });
export const MISSING = { missing: true };

export function build(spec, validValue) {
	if (spec.missing) return MISSING;
	if ('raw' in spec) return structuredClone(spec.raw);
	if ('repeat' in spec) return `${spec.prefix ?? ''}${spec.repeat.repeat(spec.times)}`;
	const at = spec.at % (validValue.length + 1);
	return `${validValue.slice(0, at)}${spec.insert}${validValue.slice(at)}`;
}

// Pending numbers only, one per item, so every good item must succeed.
export const MALFORMED_POOL = Array.from({ length: 10 }, (_, index) => ({
	id: index % 2 ? `3${pad(index, 16)}` : `30000000000${pad(index, 4)}`,
	phoneNumber: `+4477009${pad(index, 5)}`,
	otp: pad(index * 104_729, 6),
	state: 'pending',
}));
