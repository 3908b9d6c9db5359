// Property-based invariants: random batches (fixture and extra numbers, good and bad OTPs,
// unknown ids, both operations), random fault mixes, random concurrency, run in n8n's own
// engine against the emulator. fast-check is seeded: a failure prints the seed and the path
// that replay it (INVARIANTS_SEED / INVARIANTS_RUNS override both for a longer hunt).
//
// Each item's requests are found in the emulator's log by the phone number ID it sent,
// unique per item in a batch, and judged by what the emulator did with them (`fault`,
// `status`, `code`), independently of what the node says about them.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';

import { RESPONSES, startKaleyraEmulator } from '../../emulator/kaleyra-emulator.mjs';
import { runKaleyraNode } from '../helpers/engine.mjs';
import {
	DEFAULT_ACCOUNT,
	MAPPED_PARAMETERS,
	NUMBERS,
	WABA_ID,
	credentialsFor,
	runOperation,
} from '../helpers/kaleyra.mjs';

const SEED = Number(process.env.INVARIANTS_SEED ?? 20261123);
const RUNS = Number(process.env.INVARIANTS_RUNS ?? 40);
const API_KEY = DEFAULT_ACCOUNT.apiKey;

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/** Everything printed while `run` runs (console and raw stream writes), still printed unless quiet. */
async function capturingOutput(run, { quiet = false } = {}) {
	const printed = [];
	const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
	const consoles = {};
	for (const stream of ['stdout', 'stderr']) {
		process[stream].write = function (chunk, ...rest) {
			printed.push(String(chunk));
			return quiet ? true : writes[stream].call(this, chunk, ...rest);
		};
	}
	for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
		consoles[method] = console[method];
		console[method] = (...args) => {
			printed.push(args.map((arg) => (typeof arg === 'string' ? arg : safeText(arg))).join(' '));
			if (!quiet) consoles[method](...args);
		};
	}
	try {
		return { result: await run(), printed: printed.join('\n') };
	} finally {
		process.stdout.write = writes.stdout;
		process.stderr.write = writes.stderr;
		Object.assign(console, consoles);
	}
}

function safeText(value) {
	if (value instanceof Error) return `${value.message}\n${value.stack}\n${safeText({ ...value })}`;
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

/** Invariant 4: the key is in no output item, no error text, no printed line. */
function assertNoKeyAnywhere(result, printed) {
	const places = {
		'the run data (output items included)': JSON.stringify(result.run),
		'the workflow error': result.error
			? `${result.error.message} ${result.error.description} ${result.error.stack}`
			: '',
		'an error message or hint on an item': [...result.success, ...result.failed]
			.map(({ json }) => `${json.error?.message} ${json.error?.hint} ${json.message}`)
			.join('\n'),
		'the console or stdout/stderr': printed,
	};
	for (const [place, text] of Object.entries(places)) {
		assert.ok(!text.includes(API_KEY), `[4 no key] the API key appears in ${place}`);
	}
}

/** Invariant 4 for the OTP: masked in the context, redacted from anything the server said. */
function assertNoOtpInOutputs(result, items) {
	const outputs = JSON.stringify([...result.success, ...result.failed]);
	for (const { json } of items) {
		if (typeof json.otp !== 'string' || !/^\d{6}$/.test(json.otp)) continue;
		assert.ok(
			!new RegExp(`(?<!\\d)${json.otp}(?!\\d)`).test(outputs),
			`[4 no OTP] an output item shows the OTP ${json.otp}`,
		);
	}
}

/** Invariant 1: each item on exactly one branch, once, paired to itself, branches in input order. */
function assertEveryItemOnceInOrder(result, items, operation) {
	assert.equal(result.error, undefined, `[1 once] the run failed: ${result.error?.message}`);
	assert.equal(result.outputs.length, 2, '[1 once] the node has a Success and an Error output');
	const indexes = {};
	for (const [branch, ok] of [
		['success', true],
		['failed', false],
	]) {
		indexes[branch] = result[branch].map((item) => {
			assert.deepEqual(Object.keys(item.pairedItem), ['item'], '[1 once] pairedItem is {item: i}');
			assert.equal(item.json.success, ok, `[1 once] success flag matches the ${branch} branch`);
			assert.equal(item.json.operation, operation);
			return item.pairedItem.item;
		});
		for (let at = 1; at < indexes[branch].length; at++) {
			assert.ok(
				indexes[branch][at - 1] < indexes[branch][at],
				`[1 once] ${branch} is out of input order: ${indexes[branch]}`,
			);
		}
	}
	assert.deepEqual(
		[...indexes.success, ...indexes.failed].sort((a, b) => a - b),
		items.map((_, index) => index),
		'[1 once] every input item leaves exactly once',
	);
}

function freePort() {
	return new Promise((resolve) => {
		const probe = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = probe.address();
			probe.close(() => resolve(port));
		});
	});
}

const pad = (value, length) => String(value).padStart(length, '0');

// ---------------------------------------------------------------------------------------
// 1-4: random batches under random fault mixes
// ---------------------------------------------------------------------------------------

// The fixtures, plus numbers of every state; some ids of 17 digits (strings only).
const STATES = ['pending', 'pending', 'approved', 'unavailable'];
const POOL = [
	...Object.values(NUMBERS),
	...Array.from({ length: 18 }, (_, index) => ({
		id: index % 3 === 0 ? `2${pad(index, 16)}` : `20000000000${pad(index, 4)}`,
		phoneNumber: `+9197655${pad(index, 4)}`,
		otp: pad((index * 7919 + 3) % 1_000_000, 6),
		state: STATES[index % STATES.length],
	})),
];
const POOL_BY_ID = new Map(POOL.map((number) => [number.id, number]));

// Faults after which a repeat is safe: Kaleyra did nothing, or asked for the repeat.
const SAFE_FAULTS = ['http429', 'http429RetryAfter', 'http503', 'wa500TryLater'];
// The request may have taken effect; the node repeats these only with retryUncertain. Some
// are answers cut short by the node itself: past 1 MiB, or past the Timeout.
const UNCERTAIN_FAULTS = [
	'reset',
	'hang',
	'http500',
	'html',
	'midBodyReset',
	'gzipCorrupt',
	'tooLarge',
	'oversized',
	'gzipBomb',
	'endless',
	'trickle',
];
// The request took effect, only the answer is broken.
const BROKEN_ANSWER_FAULTS = ['malformedJson', 'empty'];
// Final answers from the server that Kaleyra did not act on: redirects (never followed) and a
// genuine WA500 whose code stands late in the body.
const UNPROCESSED_FINAL_FAULTS = [
	'redirect301',
	'redirect302',
	'redirect303',
	'redirect307',
	'redirect308',
	'wa500Late',
];
// A server that echoes the request, api-key and OTP included, after Kaleyra acted on it.
const ECHO_FAULTS = { echoError: { status: 400, code: 'WA400' }, echoSuccess: { status: 200, code: 'WA200' } };
// Faults that cost a whole timeout per try: kept rare so a case stays well under a second.
const SLOW_FAULTS = ['hang', 'trickle'];
// Real Kaleyra bodies handed out unprocessed.
const SCRIPTED_ANSWERS = [
	'answer:otpResent',
	'answer:alreadyApproved',
	'answer:tryLater',
	'answer:authFailed',
	'answer:wabaNotOwned',
	'answer:invalidPhoneNumber',
];
const FAULT_KINDS = [
	...SAFE_FAULTS,
	...UNCERTAIN_FAULTS,
	...BROKEN_ANSWER_FAULTS,
	...UNPROCESSED_FINAL_FAULTS,
	...Object.keys(ECHO_FAULTS),
	...SCRIPTED_ANSWERS,
];

const TIMEOUT_MS = 500;
// Big enough to pass the node's 1 MiB cap, small enough to keep a case fast.
const SMALL_FAULTS = {
	hangMs: 2_000,
	tooLargeBytes: 1_200_000,
	oversizedBytes: 2_000_000,
	gzipBombBytes: 4_000_000,
};
const MAX_RETRY_DELAY_MS = 20;
// A hang costs a whole timeout per try: kept rare so a case stays well under a second.
const MAX_HANG_PROBABILITY = 0.08;

const OWN_CODE_OF_FAULT = {
	http429: 'RATE_LIMITED',
	http429RetryAfter: 'RATE_LIMITED',
	http503: 'HTTP_ERROR',
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
 * - accepted: Kaleyra's success reached the node (2xx WA200);
 * - approved: Kaleyra's "already approved" reached the node;
 * - repeat: 'safe' (nothing happened, or Kaleyra asked for it), 'uncertain' (may have taken
 *   effect; repeated only with retryUncertain) or 'never' (a final answer);
 * - mayHaveActed: the verify / OTP resend took or may have taken effect;
 * - code: the error code the item must carry if this is its last request.
 */
function judge(request, number, faults) {
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
			accepted: code === 'WA200' && status >= 200 && status < 300,
			approved,
			repeat: tryLater ? 'safe' : 'never',
			mayHaveActed: fault === null && !tryLater,
		};
	}
	if (fault in ECHO_FAULTS) {
		const { status, code } = ECHO_FAULTS[fault];
		return { status, code, accepted: code === 'WA200', approved: false, repeat: 'never', mayHaveActed: true };
	}
	const retryAfterMs =
		fault === 'http429RetryAfter' || (fault === 'http503' && faults.retryAfterOn503)
			? faults.retryAfterSeconds * 1000
			: 0;
	return {
		status: request.status,
		code: OWN_CODE_OF_FAULT[fault],
		accepted: false,
		approved: false,
		repeat: SAFE_FAULTS.includes(fault)
			? retryAfterMs > MAX_RETRY_DELAY_MS
				? 'never' // a longer Retry-After than Max Retry Wait is not waited for
				: 'safe'
			: UNCERTAIN_FAULTS.includes(fault)
				? 'uncertain'
				: 'never',
		mayHaveActed: UNCERTAIN_FAULTS.includes(fault) || BROKEN_ANSWER_FAULTS.includes(fault),
	};
}

const itemVariant = fc.record({
	kind: fc.constantFrom('good', 'good', 'good', 'wrongOtp', 'unknownId', 'wrongPhone', 'invalid'),
	idAsNumber: fc.boolean(),
	channel: fc.constantFrom('SMS', 'VOICE', 'sms', 'Voice'),
});

/** Probabilities of a few fault kinds, adding up to `share` of the requests. */
const faultMix = (share, kinds = FAULT_KINDS) =>
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
			const probabilities = {};
			for (const [kind, weight] of Object.entries(weights)) {
				const probability = (share * weight) / total;
				probabilities[kind] =
					SLOW_FAULTS.includes(kind) ? Math.min(probability, MAX_HANG_PROBABILITY) : probability;
			}
			return { ...rest, probabilities };
		});

/** A random case; `overrides` replaces some of its arbitraries (property 4 leans on errors). */
function batchCase(overrides = {}) {
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
function itemsOf(testCase) {
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
async function runBatch(emulator, closedPort, testCase) {
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

describe('Invariants under random batches and fault mixes', () => {
	let emulator;
	let closedPort;
	before(async () => {
		emulator = await startKaleyraEmulator({
			numbers: Object.fromEntries(
				POOL.map(({ id, phoneNumber, otp, state }) => [id, { phoneNumber, otp, state }]),
			),
		});
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

	it('1. every item reaches exactly one branch, once, paired to itself, in input order', async () => {
		await property(1, (testCase, { outputs, items }) => {
			assert.equal(outputs.length, items.length);
			for (const { item, json } of outputs) {
				// The output at pairedItem i is about input i, not a neighbour's.
				assert.equal(item.json.phoneNumberId, String(json.phoneNumberId), '[1 once] wrong pairing');
				assert.equal(item.json.wabaId, WABA_ID);
			}
		});
	});

	it('2. an item Kaleyra accepted is never an error; a success had a Kaleyra yes', async () => {
		await property(2, (testCase, { outputs }) => {
			for (const { branch, item, requests, number, invalidField } of outputs) {
				const where = `item ${item.pairedItem.item} (${JSON.stringify(requests.map((r) => r.fault ?? r.code))})`;
				if (invalidField !== undefined) {
					assert.equal(branch, 'failed', `[2] ${where}: malformed input succeeded`);
					assert.equal(item.json.error.code, 'INVALID_INPUT');
					assert.deepEqual(item.json.error.fields, [invalidField]);
					continue;
				}
				if (testCase.target === 'closedPort') {
					assert.equal(branch, 'failed', `[2] ${where}: success with nothing listening`);
					assert.equal(item.json.error.code, 'NETWORK_ERROR');
					assert.match(item.json.error.message, /ECONNREFUSED/);
					continue;
				}
				assert.ok(requests.length >= 1, `[2] ${where}: a valid item was never sent`);
				const judged = requests.map((request) => judge(request, number, testCase.faults));
				// Any yes Kaleyra gave for this item, not only the last answer, makes it a success.
				if (judged.some(({ accepted }) => accepted))
					assert.equal(branch, 'success', `[2] ${where}: accepted, yet on Error`);
				const last = judged.at(-1);
				const approvedIsSuccess = last.approved && testCase.treatAlreadyApprovedAsSuccess;
				if (last.accepted || approvedIsSuccess) {
					assert.equal(
						branch,
						'success',
						`[2] ${where}: Kaleyra said yes, the node said ${item.json.error?.code}`,
					);
					assert.equal(item.json.code, last.code);
					// Verify Number always says whether; Retry OTP only when it was already approved.
					const alreadyApproved =
						testCase.operation === 'retryOtp' && !last.approved ? undefined : last.approved;
					assert.equal(item.json.alreadyApproved, alreadyApproved);
				} else {
					assert.equal(branch, 'failed', `[2] ${where}: success without a Kaleyra yes`);
					assert.equal(item.json.error.code, last.code, `[2] ${where}: error code`);
					assert.equal(item.json.error.httpStatus, last.status, `[2] ${where}: httpStatus`);
				}
			}
		});
	});

	it('3. no automatic repeat of a request that may have reached Kaleyra, unless asked', async () => {
		// Cases where a repeat is possible at all: more than one try, and some faults.
		const repeatable = batchCase({
			maxTries: fc.integer({ min: 2, max: 4 }),
			faults: faultMix(fc.constantFrom(0.25, 0.5, 0.75)),
		});
		await property(
			3,
			(testCase, { outputs }) => {
				const allowed = testCase.retryUncertain ? ['safe', 'uncertain'] : ['safe'];
				for (const { item, requests, number, invalidField, id } of outputs) {
					const where = `item ${item.pairedItem.item} (${JSON.stringify(requests.map((r) => r.fault ?? r.code))})`;
					if (invalidField !== undefined) {
						assert.equal(item.json.attempts, 0, `[3] ${where}: attempts of a malformed item`);
						assert.equal(requests.length, 0, `[3] ${where}: a malformed item was sent`);
						continue;
					}
					if (testCase.target === 'closedPort') {
						// Refused connections never reached anything: every try is used.
						assert.equal(item.json.attempts, testCase.maxTries, `[3] ${where}: refused tries`);
						continue;
					}
					assert.equal(
						item.json.attempts,
						requests.length,
						`[3] ${where}: attempts ≠ requests sent`,
					);
					assert.ok(requests.length <= testCase.maxTries, `[3] ${where}: more than Tries`);
					const judged = requests.map((request) => judge(request, number, testCase.faults));
					judged.slice(0, -1).forEach((earlier, at) => {
						assert.ok(
							allowed.includes(earlier.repeat),
							`[3] ${where}: request ${at + 1} (${requests[at].fault ?? requests[at].code}) was repeated`,
						);
					});
					if (!testCase.retryUncertain) {
						const acted = judged.filter((answer) => answer.mayHaveActed).length;
						assert.ok(acted <= 1, `[3] ${where}: ${acted} requests that may have acted`);
						if (acted === 1)
							assert.ok(
								judged.at(-1).mayHaveActed,
								`[3] ${where}: sent again after it may have acted`,
							);
						if (testCase.operation === 'retryOtp' && number) {
							const sent = emulator.numbers()[id].otpSentCount;
							assert.ok(sent <= 1, `[3] ${where}: ${sent} OTPs sent for one item`);
						}
					}
					// And the node gives up only when it must: out of tries, or nothing it may repeat.
					if (requests.length < testCase.maxTries) {
						assert.ok(
							!allowed.includes(judged.at(-1).repeat),
							`[3] ${where}: stopped after ${requests.length} of ${testCase.maxTries} tries though it could repeat`,
						);
					}
				}
			},
			repeatable,
		);
	});

	it('4. the API key is in no output, no error, no printed line', async () => {
		// The check would see a leak: what is printed inside the capture is caught.
		const { printed } = await capturingOutput(
			async () => {
				console.warn('marker-console');
				process.stderr.write('marker-stream\n');
			},
			{ quiet: true },
		);
		assert.ok(printed.includes('marker-console'), 'the capture missed a console line');
		assert.ok(printed.includes('marker-stream'), 'the capture missed a stream write');
		assert.throws(() => assertNoKeyAnywhere({ run: {}, success: [], failed: [] }, `x${API_KEY}`));
		assert.throws(() =>
			assertNoKeyAnywhere({ run: { leaked: API_KEY }, success: [], failed: [] }, ''),
		);

		// Every case of every property checks it; these cases lean on error paths, whose
		// errors carry the request and its api-key header: faults on most requests, a wrong
		// SID, nothing listening. A server that echoes the request is left out here: its answer
		// names the header, redacted (the key itself is checked in every case of every property).
		const errorHeavy = batchCase({
			faults: faultMix(
				fc.constantFrom(0.5, 0.75, 1),
				FAULT_KINDS.filter((kind) => !(kind in ECHO_FAULTS)),
			),
			target: fc.constantFrom('emulator', 'wrongSid', 'closedPort'),
		});
		await property(
			4,
			(testCase, { result }) => {
				// Nor any dump of the request that carried it: its header never shows.
				const outputs = JSON.stringify([...result.success, ...result.failed]).toLowerCase();
				assert.ok(
					!outputs.includes('api-key'),
					'[4 no key] an output item shows the api-key header',
				);
			},
			errorHeavy,
		);
	});
});

// ---------------------------------------------------------------------------------------
// 5: malformed input
// ---------------------------------------------------------------------------------------

const FIELDS_OF = {
	verifyNumber: ['wabaId', 'phoneNumberId', 'phoneNumber', 'otp'],
	retryOtp: ['wabaId', 'phoneNumberId', 'phoneNumber', 'typeVerification'],
};
// Where each parameter reads from in the item, and where the output item echoes it.
const INPUT_KEY = { typeVerification: 'channel' };
const CONTEXT_KEY = { typeVerification: 'channel' };

// How a bad value is described in a case: built at item time, so a counterexample stays short.
const raw = (value) => ({ raw: value });
const repeat = (text, times) => ({ repeat: text, times });
const MISSING = { missing: true };

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
// Over-long digit strings are checked as fixed cases at the end of this file.
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
			// and 'ı' into 'I', which is the node's own bug (see the fixed cases at the end).
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

function build(spec, validValue) {
	if (spec.missing) return MISSING;
	if ('raw' in spec) return structuredClone(spec.raw);
	if ('repeat' in spec) return `${spec.prefix ?? ''}${spec.repeat.repeat(spec.times)}`;
	const at = spec.at % (validValue.length + 1);
	return `${validValue.slice(0, at)}${spec.insert}${validValue.slice(at)}`;
}

// Pending numbers only, one per item, so every good item must succeed.
const MALFORMED_POOL = Array.from({ length: 10 }, (_, index) => ({
	id: index % 2 ? `3${pad(index, 16)}` : `30000000000${pad(index, 4)}`,
	phoneNumber: `+4477009${pad(index, 5)}`,
	otp: pad(index * 104_729, 6),
	state: 'pending',
}));

describe('Invariants for malformed input', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator({
			numbers: Object.fromEntries(
				MALFORMED_POOL.map(({ id, phoneNumber, otp, state }) => [id, { phoneNumber, otp, state }]),
			),
		});
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

// Fixed cases for what the properties first found: an ID of any length used to pass, and an
// option resolving to something not a number became NaN (Concurrency NaN dropped every item;
// Tries NaN or Infinity never stopped retrying). The random properties leave these values out.
describe('Malformed values the properties once found the node letting through', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator();
	});
	after(() => emulator.close());

	function item(overrides = {}) {
		const number = NUMBERS.pending1;
		return {
			json: {
				wabaId: WABA_ID,
				phoneNumberId: number.id,
				phoneNumber: number.phoneNumber,
				otp: number.otp,
				channel: 'SMS',
				...overrides,
			},
		};
	}

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
				byPhoneNumberId: { [NUMBERS.pending1.id]: Array(15).fill('http503') },
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

// ---------------------------------------------------------------------------------------
// 1b: the outputs do not depend on Concurrency
// ---------------------------------------------------------------------------------------

// Faults given per phone number ID meet each item whatever order the requests go in, so
// a run at Concurrency 1 and one at N must give the same items, in the same order. A hang
// is left out: its cost is a whole timeout per try, and 1 already covers it.
const PER_ID_FAULTS = FAULT_KINDS.filter((kind) => !SLOW_FAULTS.includes(kind));

const concurrencyCase = fc.record({
	operation: fc.constantFrom('verifyNumber', 'retryOtp'),
	picks: fc.shuffledSubarray(
		POOL.map((_, index) => index),
		{ minLength: 2, maxLength: 10 },
	),
	variants: fc.array(itemVariant, { minLength: 12, maxLength: 12 }),
	sequences: fc.array(fc.array(fc.constantFrom('ok', ...PER_ID_FAULTS), { maxLength: 3 }), {
		minLength: 12,
		maxLength: 12,
	}),
	concurrency: fc.integer({ min: 2, max: 8 }),
	maxTries: fc.integer({ min: 1, max: 4 }),
	retryUncertain: fc.boolean(),
	treatAlreadyApprovedAsSuccess: fc.boolean(),
});

describe('Invariants across concurrency', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator({
			numbers: Object.fromEntries(
				POOL.map(({ id, phoneNumber, otp, state }) => [id, { phoneNumber, otp, state }]),
			),
		});
	});
	after(() => emulator.close());

	it('1b. Concurrency N gives the very outputs of Concurrency 1, and the same requests per item', async () => {
		await fc.assert(
			fc.asyncProperty(concurrencyCase, async (testCase) => {
				const cases = itemsOf(testCase);
				const items = cases.map(({ json }) => ({ json }));
				const byPhoneNumberId = Object.fromEntries(
					cases.map(({ id }, index) => [id, testCase.sequences[index]]),
				);
				const runAt = async (concurrency) => {
					emulator.reset();
					emulator.setFaults({ byPhoneNumberId, retryAfterSeconds: 0, ...SMALL_FAULTS });
					const { result, printed } = await capturingOutput(() =>
						runOperation(emulator, testCase.operation, items, {
							options: {
								concurrency,
								timeout: TIMEOUT_MS,
								maxTries: testCase.maxTries,
								retryUncertain: testCase.retryUncertain,
								retryDelay: 1,
								maxRetryDelay: MAX_RETRY_DELAY_MS,
								treatAlreadyApprovedAsSuccess: testCase.treatAlreadyApprovedAsSuccess,
							},
						}),
					);
					assertEveryItemOnceInOrder(result, items, testCase.operation);
					assertNoKeyAnywhere(result, printed);
					const sent = cases.map(({ id }) =>
						emulator.requests
							.filter((request) => request.json?.id === id)
							.map((request) => request.fault ?? request.code),
					);
					return { success: result.success, failed: result.failed, sent };
				};
				const one = await runAt(1);
				const many = await runAt(testCase.concurrency);
				assert.ok(one.success.length + one.failed.length === items.length);
				assert.deepEqual(many.sent, one.sent, '[1b] an item met other requests at Concurrency N');
				assert.deepEqual(many.success, one.success, '[1b] Success differs at Concurrency N');
				assert.deepEqual(many.failed, one.failed, '[1b] Error differs at Concurrency N');
			}),
			{ seed: SEED + 6, numRuns: Math.ceil(RUNS / 2) },
		);
	});
});

// ---------------------------------------------------------------------------------------
// 5b, 5c: parameters and options whose expression fails or gives a wrong value
// ---------------------------------------------------------------------------------------

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
// 2^31 - 1 ms see the fixed case at the end of this file.
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
		emulator = await startKaleyraEmulator({
			numbers: Object.fromEntries(
				MALFORMED_POOL.map(({ id, phoneNumber, otp, state }) => [id, { phoneNumber, otp, state }]),
			),
		});
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

// ---------------------------------------------------------------------------------------
// Bugs the properties found, as minimal fixed cases.
// ---------------------------------------------------------------------------------------

describe('Bugs the properties found', () => {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator();
	});
	after(() => emulator.close());

	function item(number, overrides = {}) {
		return {
			json: {
				wabaId: WABA_ID,
				phoneNumberId: number.id,
				phoneNumber: number.phoneNumber,
				otp: number.otp,
				channel: 'SMS',
				...overrides,
			},
		};
	}

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
