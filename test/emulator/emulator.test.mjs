// Self-check of the emulator: every documented response on both operations, the check order,
// the onboarding lifecycle (add, list, details, OTP messages), the control API, the OTP page,
// the CLI and the faults. Run: node --test test/emulator/
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createGunzip, gunzipSync } from 'node:zlib';

import {
	CATCHER_PATH,
	DEFAULT_ACCOUNT,
	FAULT_CLASSES,
	FAULT_KINDS,
	FIRST_ADDED_ID,
	NUMBERS,
	RESPONSES,
	faultClass,
	otpAt,
	startKaleyraEmulator,
} from '../../emulator/kaleyra-emulator.mjs';

const { sid, apiKey, wabaIds } = DEFAULT_ACCOUNT;
const WABA = wabaIds[0];
const JSON_HEADERS = { 'api-key': apiKey, 'content-type': 'application/json' };

let emulator;
before(async () => {
	emulator = await startKaleyraEmulator();
});
after(() => emulator.close());
beforeEach(() => emulator.reset());

const apiPath = (operation, { s = sid, waba = WABA } = {}) =>
	`/v2/${s}/whatsapp/${waba}/number${operation ? `/${operation}` : ''}`;
const detailsPath = (phone, { s = sid } = {}) => `/v2/${s}/whatsapp/${phone}/phone_number_details`;

async function call(path, { method = 'POST', headers = JSON_HEADERS, body } = {}) {
	const text = typeof body === 'string' || body === undefined ? body : JSON.stringify(body);
	const res = await fetch(emulator.url + path, { method, headers, body: text });
	const raw = await res.text();
	return { status: res.status, headers: res.headers, raw, body: raw ? JSON.parse(raw) : null };
}

const verifyBody = (n, overrides = {}) => ({
	id: n.id,
	phone_number: n.phoneNumber,
	otp: n.otp,
	...overrides,
});
const retryBody = (n, overrides = {}) => ({
	id: n.id,
	phone_number: n.phoneNumber,
	type_verification: 'SMS',
	...overrides,
});

const assertReply = (res, reply) => {
	assert.equal(res.status, reply.status);
	assert.deepEqual(res.body, reply.body);
};

test('documented bodies keep data as [] or {} exactly as each sample shows', () => {
	const dataOf = (name) => JSON.stringify(RESPONSES[name].body.data);
	const shapes = Object.fromEntries(Object.keys(RESPONSES).map((name) => [name, dataOf(name)]));
	assert.deepEqual(
		{
			authFailed: shapes.authFailed,
			wabaNotOwned: shapes.wabaNotOwned,
			badPayload: shapes.badPayload,
			badOtpFormat: shapes.badOtpFormat,
			badTypeVerification: shapes.badTypeVerification,
			invalidPhoneNumber: shapes.invalidPhoneNumber,
			alreadyApproved: shapes.alreadyApproved,
			tryLater: shapes.tryLater,
			otpResent: shapes.otpResent,
		},
		{
			authFailed: '[]',
			wabaNotOwned: '{}',
			badPayload: '{}',
			badOtpFormat: '{}',
			badTypeVerification: '[]',
			invalidPhoneNumber: '[]',
			alreadyApproved: '[]',
			tryLater: '{}',
			otpResent: 'true',
		},
	);
	assert.equal(RESPONSES.authFailed.status, 401);
	assert.equal(RESPONSES.tryLater.status, 500);
});

describe('verify', () => {
	test('success returns the id as a string, then the number is already approved', async () => {
		const res = await call(apiPath('verify'), { body: verifyBody(NUMBERS.pending1) });
		assert.equal(res.status, 200);
		assert.deepEqual(res.body, {
			code: 'WA200',
			message: 'Request Processed Successfully',
			data: NUMBERS.pending1.id,
			error: {},
		});
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].state, 'approved');
		assertReply(
			await call(apiPath('verify'), { body: verifyBody(NUMBERS.pending1) }),
			RESPONSES.alreadyApproved,
		);
	});

	test('a bare JSON integer id is accepted when it is a safe integer, and recorded as such', async () => {
		const raw = `{"id":${NUMBERS.pending2.id},"phone_number":"${NUMBERS.pending2.phoneNumber}","otp":"${NUMBERS.pending2.otp}"}`;
		const res = await call(apiPath('verify'), { body: raw });
		assert.equal(res.body.data, NUMBERS.pending2.id);
		assert.equal(emulator.requests[0].idType, 'number');
	});

	test('a 17-digit id survives only as a string', async () => {
		const n = NUMBERS.pendingLongId;
		const bare = `{"id":${n.id},"phone_number":"${n.phoneNumber}","otp":"${n.otp}"}`;
		assertReply(await call(apiPath('verify'), { body: bare }), RESPONSES.badPayload);
		const res = await call(apiPath('verify'), { body: verifyBody(n) });
		assert.equal(res.body.data, n.id);
		assert.deepEqual(
			emulator.requests.map((r) => r.idType),
			['number', 'string'],
		);
	});

	test('a non-integer literal for id (1e2, 100.0) is a payload error', async () => {
		for (const literal of ['1e14', '100000000000001.0']) {
			const raw = `{"id":${literal},"phone_number":"+919765400001","otp":"123456"}`;
			assertReply(await call(apiPath('verify'), { body: raw }), RESPONSES.badPayload);
		}
	});

	test('an OTP with a leading zero verifies', async () => {
		const res = await call(apiPath('verify'), { body: verifyBody(NUMBERS.pendingZeroOtp) });
		assert.equal(res.body.code, 'WA200');
	});

	test('payload errors: bad JSON, extra/missing keys, wrong types', async () => {
		const n = NUMBERS.pending1;
		const bodies = [
			'not json',
			'',
			'[]',
			{ id: n.id, phone_number: n.phoneNumber },
			{ ...verifyBody(n), extra: 1 },
			verifyBody(n, { otp: 123456 }),
			verifyBody(n, { phone_number: 919765400001 }),
			verifyBody(n, { id: 'abc' }),
		];
		for (const body of bodies) {
			assertReply(await call(apiPath('verify'), { body }), RESPONSES.badPayload);
		}
	});

	test('documented 400s: phone number, OTP format', async () => {
		const n = NUMBERS.pending1;
		assertReply(
			await call(apiPath('verify'), { body: verifyBody(n, { phone_number: '919765400001' }) }),
			RESPONSES.invalidPhoneNumber,
		);
		assertReply(
			await call(apiPath('verify'), { body: verifyBody(n, { otp: '12345' }) }),
			RESPONSES.badOtpFormat,
		);
	});

	test('undocumented 400s: unknown id, mismatched phone number, wrong OTP', async () => {
		const n = NUMBERS.pending1;
		assertReply(
			await call(apiPath('verify'), { body: verifyBody(n, { id: '999999999999999' }) }),
			RESPONSES.unknownPhoneNumberId,
		);
		assertReply(
			await call(apiPath('verify'), { body: verifyBody(n, { phone_number: '+919765400002' }) }),
			RESPONSES.unknownPhoneNumberId,
		);
		assertReply(
			await call(apiPath('verify'), { body: verifyBody(n, { otp: '654321' }) }),
			RESPONSES.wrongOtp,
		);
		assert.equal(emulator.numbers()[n.id].state, 'pending');
	});

	test('documented 500s: already approved, try again later', async () => {
		assertReply(
			await call(apiPath('verify'), { body: verifyBody(NUMBERS.approved) }),
			RESPONSES.alreadyApproved,
		);
		assertReply(
			await call(apiPath('verify'), { body: verifyBody(NUMBERS.unavailable) }),
			RESPONSES.tryLater,
		);
	});
});

describe('retry_otp', () => {
	test('success returns data true and counts the OTP sent', async () => {
		const n = NUMBERS.pending1;
		assertReply(await call(apiPath('retry_otp'), { body: retryBody(n) }), RESPONSES.otpResent);
		const raw = `{"id":${n.id},"phone_number":"${n.phoneNumber}","type_verification":"VOICE"}`;
		assertReply(await call(apiPath('retry_otp'), { body: raw }), RESPONSES.otpResent);
		assert.equal(emulator.numbers()[n.id].otpSentCount, 2);
	});

	test('documented 400s and 500s', async () => {
		const n = NUMBERS.pending1;
		assertReply(
			await call(apiPath('retry_otp'), { body: retryBody(n, { type_verification: 'sms' }) }),
			RESPONSES.badTypeVerification,
		);
		assertReply(
			await call(apiPath('retry_otp'), { body: retryBody(n, { phone_number: '+0123' }) }),
			RESPONSES.invalidPhoneNumber,
		);
		assertReply(await call(apiPath('retry_otp'), { body: verifyBody(n) }), RESPONSES.badPayload);
		assertReply(
			await call(apiPath('retry_otp'), { body: retryBody(NUMBERS.approved) }),
			RESPONSES.alreadyApproved,
		);
		assertReply(
			await call(apiPath('retry_otp'), { body: retryBody(NUMBERS.unavailable) }),
			RESPONSES.tryLater,
		);
		assert.equal(emulator.numbers()[n.id].otpSentCount, 0);
	});
});

describe('auth, content type, WABA, routing', () => {
	test('RBC001 for a wrong key, a wrong sid, a key sent any other way', async () => {
		const body = verifyBody(NUMBERS.pending1);
		const noKey = { 'content-type': 'application/json' };
		const attempts = [
			{ headers: { ...JSON_HEADERS, 'api-key': 'wrong' } },
			{ path: apiPath('verify', { s: 'HXOTHER' }) },
			{ headers: { ...noKey, authorization: `Bearer ${apiKey}` } },
			{ headers: noKey, path: `${apiPath('verify')}?api-key=${apiKey}` },
		];
		for (const { headers = JSON_HEADERS, path = apiPath('verify') } of attempts) {
			assertReply(await call(path, { headers, body }), RESPONSES.authFailed);
		}
	});

	test('content type must be JSON (charset allowed), checked after auth and before the WABA', async () => {
		const body = verifyBody(NUMBERS.pending1);
		const textPlain = { ...JSON_HEADERS, 'content-type': 'text/plain' };
		assertReply(await call(apiPath('verify'), { headers: textPlain, body }), RESPONSES.badPayload);
		assertReply(
			await call(apiPath('verify'), { headers: { ...textPlain, 'api-key': 'x' }, body }),
			RESPONSES.authFailed,
		);
		assertReply(
			await call(apiPath('verify', { waba: '0' }), { headers: textPlain, body }),
			RESPONSES.badPayload,
		);
		const charset = { ...JSON_HEADERS, 'content-type': 'application/json; charset=utf-8' };
		assert.equal((await call(apiPath('verify'), { headers: charset, body })).status, 200);
	});

	test('WA401 for a WABA that is not owned, checked before the payload', async () => {
		assertReply(
			await call(apiPath('verify', { waba: '1' }), { body: '{}' }),
			RESPONSES.wabaNotOwned,
		);
		assertReply(
			await call(apiPath('', { waba: '0' }), { method: 'GET', headers: { 'api-key': apiKey } }),
			RESPONSES.wabaNotOwned,
		);
	});

	test('GET number lists the numbers of an owned WABA', async () => {
		const res = await call(apiPath(''), { method: 'GET', headers: { 'api-key': apiKey } });
		assert.equal(res.status, 200);
		assert.equal(res.body.code, 'WA200');
		assert.deepEqual(res.body.data[0], {
			id: NUMBERS.pending1.id,
			phone_number: NUMBERS.pending1.phoneNumber,
			name: NUMBERS.pending1.name,
			status: 'PENDING',
			quality_rating: 'UNKNOWN',
			messaging_limit_tier: null,
			verified_name: NUMBERS.pending1.name,
		});
	});

	test('anything else is an (undocumented) 404 WA404, before any check', async () => {
		const noKey = { 'content-type': 'application/json' };
		assertReply(await call(apiPath('verify'), { method: 'GET' }), RESPONSES.notFound);
		assertReply(await call(apiPath('add'), { method: 'GET' }), RESPONSES.notFound);
		assertReply(await call(apiPath('update'), { body: {} }), RESPONSES.notFound);
		assertReply(await call(`${apiPath('add')}/`, { body: {} }), RESPONSES.notFound);
		assertReply(await call(detailsPath('919765400001'), { body: {} }), RESPONSES.notFound);
		assertReply(
			await call(`${detailsPath('919765400001')}/`, { method: 'GET', headers: noKey }),
			RESPONSES.notFound,
		);
		assertReply(
			await call(`/v2/${sid}/whatsapp/phone_number_details`, { method: 'GET', headers: noKey }),
			RESPONSES.notFound,
		);
		assertReply(await call('/', { method: 'GET' }), RESPONSES.notFound);
	});
});

describe('request log and control API', () => {
	test('logs method, path, headers, raw body and outcome in order', async () => {
		await call(apiPath('verify'), { body: verifyBody(NUMBERS.pending1) });
		await call(apiPath('retry_otp'), { headers: { 'api-key': 'x' }, body: 'x' });
		const [first, second] = emulator.requests;
		assert.equal(first.method, 'POST');
		assert.equal(first.path, apiPath('verify'));
		assert.equal(first.headers['api-key'], apiKey);
		assert.equal(first.rawBody, JSON.stringify(verifyBody(NUMBERS.pending1)));
		assert.deepEqual(
			[first.status, first.code, first.idType, first.fault],
			[200, 'WA200', 'string', null],
		);
		assert.deepEqual([second.status, second.code, second.json], [401, 'RBC001', null]);
	});

	test('control routes need no key: numbers, requests, faults, reset', async () => {
		await call(apiPath('retry_otp'), { body: retryBody(NUMBERS.pending1) });
		const numbers = await call('/__emulator/numbers', { method: 'GET', headers: {} });
		assert.equal(numbers.body[NUMBERS.pending1.id].otpSentCount, 1);
		const log = await call('/__emulator/requests', { method: 'GET', headers: {} });
		assert.equal(log.body.length, 1);

		const faults = await call('/__emulator/faults', { headers: {}, body: { queue: ['http500'] } });
		assert.equal(faults.status, 200);
		assert.equal(
			(await call(apiPath('verify'), { body: verifyBody(NUMBERS.pending1) })).status,
			500,
		);
		const badCfg = await call('/__emulator/faults', { headers: {}, body: { queue: ['nope'] } });
		assert.equal(badCfg.status, 400);

		assert.equal((await call('/__emulator/reset', { headers: {} })).status, 200);
		assert.equal(emulator.requests.length, 0);
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].otpSentCount, 0);
	});
});

describe('faults', () => {
	test('queued 429 with Retry-After, then ok: the 429 did not process the request', async () => {
		emulator.setFaults({ queue: ['http429RetryAfter', 'ok'], retryAfterSeconds: 7 });
		const limited = await call(apiPath('verify'), { body: verifyBody(NUMBERS.pending1) });
		assert.equal(limited.status, 429);
		assert.equal(limited.headers.get('retry-after'), '7');
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].state, 'pending');
		const ok = await call(apiPath('verify'), { body: verifyBody(NUMBERS.pending1) });
		assert.equal(ok.status, 200);
		assert.deepEqual(
			emulator.requests.map((r) => [r.fault, r.processed, r.reached]),
			[
				['http429RetryAfter', false, true],
				[null, true, true],
			],
		);
	});

	test('reset per phone number id: the verify took effect, the answer was lost', async () => {
		const n = NUMBERS.pending1;
		emulator.setFaults({ byPhoneNumberId: { [n.id]: ['reset'] } });
		await assert.rejects(call(apiPath('verify'), { body: verifyBody(n) }), TypeError);
		const [entry] = emulator.requests;
		assert.deepEqual(
			[entry.fault, entry.processed, entry.code, entry.status],
			['reset', true, 'WA200', null],
		);
		assert.equal(emulator.numbers()[n.id].state, 'approved');
		// Other ids are unaffected.
		assert.equal(
			(await call(apiPath('verify'), { body: verifyBody(NUMBERS.pending2) })).status,
			200,
		);
	});

	test('forwarded503: the verify took effect, then a gateway answered a text/plain 503', async () => {
		const n = NUMBERS.pending1;
		emulator.setFaults({ queue: ['forwarded503'] });
		const res = await fetch(emulator.url + apiPath('verify'), {
			method: 'POST',
			headers: JSON_HEADERS,
			body: JSON.stringify(verifyBody(n)),
		});
		assert.equal(res.status, 503);
		assert.match(res.headers.get('content-type'), /^text\/plain/);
		assert.equal(await res.text(), 'upstream request timeout');
		assert.equal(emulator.numbers()[n.id].state, 'approved');
		assert.deepEqual(
			emulator.requests.map((r) => [r.fault, r.processed, r.status]),
			[['forwarded503', true, 503]],
		);
	});

	test('every fault kind has one class, and the class says whether the emulator processes it', async () => {
		assert.deepEqual(Object.keys(FAULT_CLASSES), [...FAULT_KINDS]);
		for (const kind of FAULT_KINDS) {
			const { server, client } = FAULT_CLASSES[kind];
			assert.ok(['untouched', 'processed'].includes(server), kind);
			assert.ok(['safe', 'uncertain', 'final'].includes(client), kind);
		}
		// Only Kaleyra's own "try again later" proves a request was not acted on.
		assert.deepEqual(
			FAULT_KINDS.filter((kind) => FAULT_CLASSES[kind].client === 'safe'),
			['wa500TryLater'],
		);
		assert.equal(faultClass('answer:tryLater').client, 'safe');
		assert.equal(faultClass('answer:invalidPhoneNumber').client, 'final');
		assert.throws(() => faultClass('nope'), TypeError);
		// The log's `processed` follows the class, request by request.
		const kinds = ['http503', 'forwarded503', 'wa500Late', 'malformedJson'];
		emulator.setFaults({ queue: kinds });
		for (const _ of kinds) {
			await fetch(emulator.url + apiPath('retry_otp'), {
				method: 'POST',
				headers: JSON_HEADERS,
				body: JSON.stringify(retryBody(NUMBERS.pending2)),
			}).then((res) => res.text());
		}
		assert.deepEqual(
			emulator.requests.map((r) => r.processed),
			kinds.map((kind) => FAULT_CLASSES[kind].server === 'processed'),
		);
	});

	test('malformedJson and empty answer 200 with an unparseable body', async () => {
		emulator.setFaults({ queue: ['malformedJson', 'empty'] });
		for (const expected of ['malformedJson', 'empty']) {
			const res = await fetch(emulator.url + apiPath('retry_otp'), {
				method: 'POST',
				headers: JSON_HEADERS,
				body: JSON.stringify(retryBody(NUMBERS.pending1)),
			});
			assert.equal(res.status, 200);
			await assert.rejects(res.json(), SyntaxError, expected);
		}
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].otpSentCount, 2);
	});

	test('hang never answers; close() ends it promptly', async (t) => {
		const own = await startKaleyraEmulator();
		t.after(() => own.close()); // also when an assertion fails; a second close() is harmless
		own.setFaults({ queue: ['hang'], hangMs: 60_000 });
		const pending = fetch(own.url + apiPath('verify'), {
			method: 'POST',
			headers: JSON_HEADERS,
			body: JSON.stringify(verifyBody(NUMBERS.pending1)),
		});
		while (own.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
		const started = Date.now();
		await own.close();
		await assert.rejects(pending, TypeError);
		assert.ok(Date.now() - started < 1000);
	});

	test('seeded probabilities are reproducible; latency is added', async () => {
		const cfg = { seed: 42, latencyMs: 15, probabilities: { http503: 0.5 } };
		const run = async () => {
			emulator.reset();
			emulator.setFaults(cfg);
			const statuses = [];
			for (let i = 0; i < 8; i++) {
				statuses.push(
					(await call(apiPath(''), { method: 'GET', headers: { 'api-key': apiKey } })).status,
				);
			}
			return statuses;
		};
		const started = Date.now();
		const first = await run();
		assert.ok(Date.now() - started >= 8 * 15);
		assert.deepEqual(await run(), first);
		assert.ok(first.includes(503) && first.includes(200));
	});

	test("'answer:<name>' scripts a documented body without processing the request", async () => {
		emulator.setFaults({ queue: ['answer:invalidPhoneNumber'] });
		const res = await call(apiPath('retry_otp'), { body: retryBody(NUMBERS.pending1) });
		assertReply(res, RESPONSES.invalidPhoneNumber);
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].otpSentCount, 0);
		const [entry] = emulator.requests;
		assert.deepEqual([entry.fault, entry.processed], ['answer:invalidPhoneNumber', false]);
		assert.throws(() => emulator.setFaults({ queue: ['answer:noSuchBody'] }), TypeError);
	});

	test('receivedAt and maxInFlight show overlapping requests', async () => {
		emulator.setFaults({ latencyMs: 30 });
		const list = () => call(apiPath(''), { method: 'GET', headers: { 'api-key': apiKey } });
		await Promise.all([list(), list(), list()]);
		assert.equal(emulator.maxInFlight(), 3);
		assert.equal(emulator.counters.inFlight, 0);
		assert.ok(emulator.requests.every((r) => Number.isInteger(r.receivedAt)));
	});

	test('setFaults rejects unknown kinds, options and impossible probabilities', () => {
		assert.throws(() => emulator.setFaults({ queue: ['nope'] }), TypeError);
		assert.throws(() => emulator.setFaults({ latency: 5 }), TypeError);
		assert.throws(
			() => emulator.setFaults({ probabilities: { http429: 0.7, http500: 0.7 } }),
			TypeError,
		);
		for (const option of ['trickleMs', 'oversizedBytes', 'gzipBombBytes', 'hangMs']) {
			for (const bad of [-1, '5', Number.NaN, Infinity]) {
				assert.throws(() => emulator.setFaults({ [option]: bad }), TypeError, option);
			}
		}
		assert.equal(FAULT_KINDS.length, 26);
	});

	test('recordRequests: false keeps counters only', async (t) => {
		const quiet = await startKaleyraEmulator({ recordRequests: false });
		t.after(() => quiet.close());
		quiet.setFaults({ queue: ['http500'] });
		await fetch(quiet.url + apiPath(''), { headers: { 'api-key': apiKey } }).then((r) => r.text());
		await fetch(quiet.url + apiPath(''), { headers: { 'api-key': apiKey } }).then((r) => r.text());
		assert.equal(quiet.requests.length, 0);
		const { requests, processed, faults, codes, inFlight, maxInFlight } = quiet.counters;
		assert.deepEqual(
			{ requests, processed, faults, codes, inFlight, maxInFlight },
			{
				requests: 2,
				processed: 1,
				faults: { http500: 1 },
				codes: { WA200: 1 },
				inFlight: 0,
				maxInFlight: 1,
			},
		);
	});
});

const MiB = 1024 * 1024;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// node:http, unlike fetch, follows no redirect and inflates nothing: the answer as sent.
// agent: false gives every call its own socket, so destroying one affects nothing else.
function rawCall(url, { method = 'POST', headers = JSON_HEADERS, body } = {}) {
	return new Promise((resolve, reject) => {
		const req = request(url, { method, headers, agent: false }, resolve);
		req.on('error', reject);
		req.end(body);
	});
}
const rawRetry = (target = emulator, n = NUMBERS.pending1) =>
	rawCall(target.url + apiPath('retry_otp'), { body: JSON.stringify(retryBody(n)) });

// Reads the body to its end, or until more than `limit` bytes came (then destroys it).
function readUpTo(res, limit = Infinity) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		res.on('data', (chunk) => {
			chunks.push(chunk);
			size += chunk.length;
			if (size > limit) {
				res.destroy();
				resolve({ body: Buffer.concat(chunks), ended: false, chunks: chunks.length });
			}
		});
		res.on('end', () =>
			resolve({ body: Buffer.concat(chunks), ended: true, chunks: chunks.length }),
		);
		res.on('error', reject);
	});
}

const REDIRECTS = {
	redirect301: 301,
	redirect302: 302,
	redirect303: 303,
	redirect307: 307,
	redirect308: 308,
};

describe('hostile answers', () => {
	test('every redirect points at the catcher with a path and a query, processing nothing', async () => {
		const n = NUMBERS.pending1;
		for (const [kind, status] of Object.entries(REDIRECTS)) {
			emulator.setFaults({ queue: [kind] });
			const res = await rawCall(emulator.url + apiPath('verify'), {
				body: JSON.stringify(verifyBody(n)),
			});
			const { body } = await readUpTo(res);
			assert.equal(res.statusCode, status, kind);
			assert.match(res.headers['content-type'], /^text\/html/);
			assert.match(body.toString(), new RegExp(`<h1>${status} `));
			const location = new URL(res.headers.location);
			assert.equal(location.origin, emulator.catcher.url);
			assert.equal(location.pathname + location.search, CATCHER_PATH);
			assert.equal(location.pathname, '/stolen/path');
			assert.equal(location.searchParams.get('token'), 'should-not-appear');
		}
		assert.equal(emulator.numbers()[n.id].state, 'pending');
		assert.deepEqual(
			emulator.requests.map((r) => [r.fault, r.status, r.processed]),
			Object.entries(REDIRECTS).map(([kind, status]) => [kind, status, false]),
		);
		assert.equal(emulator.catcher.requests.length, 0); // node:http followed nothing
	});

	test('the catcher records what reaches it and answers a lying WA200', async () => {
		const { requests } = emulator.catcher;
		emulator.setFaults({ byPhoneNumberId: { [NUMBERS.pending1.id]: ['redirect307'] } });
		const body = JSON.stringify(retryBody(NUMBERS.pending1));
		// fetch follows a 307 with the same method, body and (custom) headers: the key leaks.
		const res = await fetch(emulator.url + apiPath('retry_otp'), {
			method: 'POST',
			headers: JSON_HEADERS,
			body,
		});
		assert.equal(res.status, 200);
		assert.equal(res.url, emulator.catcher.url + CATCHER_PATH);
		assert.deepEqual(await res.json(), {
			code: 'WA200',
			message: 'Request Processed Successfully',
			data: true,
			error: {},
		});
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].otpSentCount, 0); // nothing was sent
		assert.equal(requests.length, 1);
		const [caught] = requests;
		assert.deepEqual(
			[caught.method, caught.path, caught.headers['api-key'], caught.rawBody],
			['POST', CATCHER_PATH, apiKey, body],
		);
		assert.ok(Number.isInteger(caught.receivedAt));

		const log = await call('/__emulator/catcher', { method: 'GET', headers: {} });
		assert.equal(log.body[0].rawBody, body);
		emulator.reset();
		assert.equal(emulator.catcher.requests, requests); // emptied in place
		assert.equal(requests.length, 0);
	});

	test('new kinds are picked by probabilities and set through the control API', async () => {
		emulator.setFaults({ probabilities: { redirect302: 1 } });
		const res = await rawCall(emulator.url + apiPath(''), {
			method: 'GET',
			headers: { 'api-key': apiKey },
		});
		res.resume();
		assert.equal(res.statusCode, 302);
		const set = await call('/__emulator/faults', { headers: {}, body: { queue: ['wa500Late'] } });
		assert.equal(set.status, 200);
		assert.equal(
			(await call(apiPath(''), { method: 'GET', headers: { 'api-key': apiKey } })).status,
			500,
		);
	});

	test('trickle: status and headers at once, then one byte every trickleMs', async () => {
		const trickleMs = 5;
		emulator.setFaults({ queue: ['trickle'], trickleMs });
		const started = Date.now();
		const res = await rawRetry();
		const headersAfter = Date.now() - started;
		assert.equal(res.statusCode, 200);
		const length = Number(res.headers['content-length']);
		const { body, ended, chunks } = await readUpTo(res);
		const elapsed = Date.now() - started;
		assert.ok(ended);
		assert.equal(body.length, length);
		assert.deepEqual(JSON.parse(body), RESPONSES.otpResent.body);
		assert.ok(elapsed >= (length - 1) * trickleMs, `${elapsed} ms for ${length} bytes`);
		assert.ok(headersAfter < elapsed / 2);
		assert.ok(chunks > length / 2, `${chunks} chunks`);
		assert.equal(emulator.requests[0].status, 200);
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].otpSentCount, 1);
	});

	test('endless: more than 4 MiB of a WA200 that never ends; destroy, then close() is quick', async (t) => {
		const own = await startKaleyraEmulator();
		t.after(() => own.close());
		own.setFaults({ queue: ['endless'] });
		const res = await rawRetry(own);
		assert.equal(res.statusCode, 200);
		assert.equal(res.headers['content-type'], 'application/json');
		assert.equal(res.headers['transfer-encoding'], 'chunked');
		assert.equal(res.headers['content-length'], undefined);
		const { body, ended } = await readUpTo(res, 4 * MiB);
		assert.ok(!ended && body.length > 4 * MiB);
		assert.ok(body.toString('latin1', 0, 40).startsWith('{"code":"WA200","message":"xxx'));
		assert.equal(own.requests[0].status, 200);
		while (own.counters.inFlight > 0) await sleep(5); // the writer noticed the client left
		const started = Date.now();
		await own.close();
		assert.ok(Date.now() - started < 1000);
	});

	test('close() stops trickle, endless and oversized writers held by clients that stopped reading', async (t) => {
		const own = await startKaleyraEmulator();
		t.after(() => own.close());
		own.setFaults({ queue: ['trickle', 'endless', 'oversized'], trickleMs: 60_000 });
		const answers = [];
		for (const n of [NUMBERS.pending1, NUMBERS.pending2, NUMBERS.pendingZeroOtp]) {
			const res = await rawRetry(own, n);
			// A silent client: only backpressure keeps the emulator's memory flat. (Paused, it
			// stops reading its socket too, so it would not even notice the close.)
			res.pause();
			res.on('error', () => {});
			answers.push(res);
		}
		await sleep(100);
		assert.equal(own.counters.inFlight, 3);
		const started = Date.now();
		await own.close();
		// Every response closed on the emulator's side (its 'close' lands a tick after the
		// server's), which is what stops the writers and clears trickle's timer.
		while (own.counters.inFlight > 0 && Date.now() - started < 1000) await sleep(5);
		assert.equal(own.counters.inFlight, 0);
		assert.ok(Date.now() - started < 1000);
		for (const res of answers) res.destroy();
	});

	test('oversized: announces 50 MiB and streams a valid WA200 of exactly that size', async () => {
		emulator.setFaults({ queue: ['oversized'] });
		const res = await rawRetry();
		assert.equal(res.statusCode, 200);
		assert.equal(res.headers['content-length'], '52428800');
		const { body, ended } = await readUpTo(res, 3 * MiB);
		assert.ok(!ended);
		assert.ok(
			body.toString('latin1', 0, 60).startsWith('{"code":"WA200","message":"Request Processed'),
		);

		emulator.setFaults({ queue: ['oversized'], oversizedBytes: 300_000 });
		const small = await rawRetry();
		const whole = await readUpTo(small);
		assert.equal(whole.body.length, 300_000);
		assert.equal(JSON.parse(whole.body).code, 'WA200');
		assert.deepEqual(
			emulator.requests.map((r) => r.status),
			[200, 200],
		);
	});

	test('gzipBomb: under 2 MiB on the wire, more than 64 MiB once inflated', async () => {
		emulator.setFaults({ queue: ['gzipBomb'] });
		const res = await rawRetry();
		assert.equal(res.statusCode, 200);
		assert.equal(res.headers['content-encoding'], 'gzip');
		const { body, ended } = await readUpTo(res, 2 * MiB);
		assert.ok(ended && body.length < 2 * MiB, `${body.length} bytes compressed`);
		const inflated = await new Promise((resolve, reject) => {
			const gunzip = createGunzip();
			let size = 0;
			let head = '';
			gunzip.on('data', (chunk) => {
				if (size === 0) head = chunk.toString('latin1', 0, 40);
				size += chunk.length;
				if (size > 64 * MiB) {
					gunzip.destroy(); // stop counting: the point is made
					resolve({ size, head });
				}
			});
			gunzip.on('end', () => resolve({ size, head }));
			gunzip.on('error', reject);
			gunzip.end(body);
		});
		assert.ok(inflated.size > 64 * MiB);
		assert.ok(inflated.head.startsWith('{"code":"WA200","message":"  '));
		assert.equal(emulator.requests[0].status, 200);
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].otpSentCount, 1);
	});

	test('gzipCorrupt: claims gzip, is not', async () => {
		emulator.setFaults({ queue: ['gzipCorrupt'] });
		const res = await rawRetry();
		const { body } = await readUpTo(res);
		assert.equal(res.statusCode, 200);
		assert.equal(res.headers['content-encoding'], 'gzip');
		assert.equal(res.headers['content-type'], 'application/json');
		assert.throws(() => gunzipSync(body));
	});

	test('midBodyReset: the real status and length, half the body, then ECONNRESET', async () => {
		emulator.setFaults({ queue: ['midBodyReset'] });
		const res = await rawRetry();
		assert.equal(res.statusCode, 200);
		const length = Number(res.headers['content-length']);
		assert.equal(length, RESPONSES.otpResent.json.length);
		let received = 0;
		res.on('data', (chunk) => {
			received += chunk.length;
		});
		await assert.rejects(readUpTo(res), { code: 'ECONNRESET' });
		assert.equal(received, Math.floor(length / 2));
		assert.equal(emulator.requests[0].status, 200);
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].otpSentCount, 1);
	});

	test('echoError and echoSuccess echo the raw body and the api key', async () => {
		emulator.setFaults({ queue: ['echoError', 'echoSuccess'] });
		const rawBody = JSON.stringify(retryBody(NUMBERS.pending1));
		for (const [status, code] of [
			[400, 'WA400'],
			[200, 'WA200'],
		]) {
			const res = await call(apiPath('retry_otp'), { body: rawBody });
			assert.equal(res.status, status);
			assert.equal(res.body.code, code);
			assert.ok(res.raw.includes(apiKey));
			assert.ok(res.body.message.includes(rawBody) && res.body.message.includes(apiKey));
			assert.equal(res.body.data.body, rawBody);
			assert.equal(res.body.data.headers['api-key'], apiKey);
		}
		const [error, success] = emulator.requests;
		assert.deepEqual([error.status, success.status, error.processed], [400, 200, true]);
		assert.match(error.rawBody, /phone_number/);
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].otpSentCount, 2);
	});

	test('wa500Late: a genuine WA500 whose code comes after 300 characters', async () => {
		emulator.setFaults({ queue: ['wa500Late'] });
		const res = await call(apiPath('verify'), { body: verifyBody(NUMBERS.pending1) });
		assert.equal(res.status, 500);
		assert.ok(!res.raw.slice(0, 200).includes('"code"'));
		assert.ok(res.raw.indexOf('"code"') >= 300);
		assert.equal(res.body.code, 'WA500');
		assert.doesNotMatch(res.body.message, /try again later|already approved/i);
		assert.equal(emulator.numbers()[NUMBERS.pending1.id].state, 'pending');
		assert.deepEqual([emulator.requests[0].status, emulator.requests[0].processed], [500, false]);
	});
});

// ---- the onboarding lifecycle: add, OTP messages, list, details ----

const KEY_ONLY = { 'api-key': apiKey };
const NEW = { nationalNumber: '9765400099', phoneNumber: '+919765400099', name: 'Acme New Line' };
const addBody = (overrides = {}) => ({
	phone_number: NEW.nationalNumber,
	name: NEW.name,
	verification_type: 'SMS',
	country_code: '91',
	...overrides,
});
const add = (overrides, options = {}) =>
	call(apiPath('add', options), { body: addBody(overrides), ...options });
const get = (path, target = emulator) =>
	fetch(target.url + path, { headers: KEY_ONLY }).then(async (res) => ({
		status: res.status,
		body: await res.json(),
	}));
const listOf = (waba = WABA, target = emulator) => get(apiPath('', { waba }), target);
const firstId = String(FIRST_ADDED_ID);

const PENDING_DETAILS = {
	messaging_limit_tier: null,
	name_status: 'PENDING_REVIEW',
	quality_rating: 'UNKNOWN',
	quality_score: 'UNKNOWN',
	status: 'PENDING',
	throughput_level: 'NOT_APPLICABLE',
	can_receive_call: false,
	can_send_message: false,
	entity_type: 'PHONE_NUMBER',
	error: 'number not verified',
	error_description: 'The phone number has not been verified with the OTP sent to it.',
	possible_solution: 'Verify the number with the OTP it received',
};
const CONNECTED_DETAILS = {
	messaging_limit_tier: 'TIER_1K',
	name_status: 'APPROVED',
	quality_rating: 'GREEN',
	quality_score: 'GREEN',
	status: 'CONNECTED',
	throughput_level: 'STANDARD',
	can_receive_call: false,
	can_send_message: true,
	entity_type: 'PHONE_NUMBER',
	error: '',
	error_description: '',
	possible_solution: '',
};
const ok = (data) => ({
	code: 'WA200',
	message: 'Request Processed Successfully',
	data,
	error: {},
});

describe('add', () => {
	test('success: a pending number with a 15-digit id, and a first OTP sent', async () => {
		const res = await add();
		assert.equal(res.status, 200);
		assert.deepEqual(
			res.body,
			ok({
				id: '300000000000001',
				phone_number: NEW.phoneNumber,
				name: NEW.name,
				verification_type: 'SMS',
				status: 'PENDING',
			}),
		);
		assert.deepEqual(emulator.numbers()[firstId], {
			phoneNumber: NEW.phoneNumber,
			name: NEW.name,
			wabaId: WABA,
			verificationType: 'SMS',
			otp: otpAt(0),
			state: 'pending',
			otpSentCount: 1,
		});
		const [message, ...rest] = emulator.otps();
		assert.deepEqual(rest, []);
		assert.deepEqual(
			{ ...message, sentAt: 0 },
			{ phoneNumber: NEW.phoneNumber, channel: 'SMS', otp: otpAt(0), sentAt: 0, reason: 'add' },
		);
		assert.ok(Number.isInteger(message.sentAt) && message.sentAt > 0);
		assert.match(message.otp, /^\d{6}$/);

		const second = await add({ phone_number: '9765400098', verification_type: 'VOICE' });
		assert.equal(second.body.data.id, '300000000000002');
		assert.deepEqual(
			emulator.otps().map((m) => [m.phoneNumber, m.channel, m.otp, m.reason]),
			[
				[NEW.phoneNumber, 'SMS', otpAt(0), 'add'],
				['+919765400098', 'VOICE', otpAt(1), 'add'],
			],
		);
		const [entry] = emulator.requests;
		assert.deepEqual([entry.status, entry.code, entry.idType], [200, 'WA200', null]);
	});

	test('ids and OTPs are deterministic: the same after a reset; OTPs six digits, never 000000', async () => {
		const first = await add();
		emulator.reset();
		const again = await add();
		assert.deepEqual(again.body, first.body);
		assert.equal(emulator.otps()[0].otp, otpAt(0));
		const otps = Array.from({ length: 20_000 }, (_, i) => otpAt(i));
		assert.ok(otps.every((otp) => /^\d{6}$/.test(otp) && otp !== '000000'));
		assert.ok(new Set(otps.slice(0, 100)).size > 95);
		assert.ok(
			otps.some((otp) => otp.startsWith('0')),
			'leading zeros happen',
		);
	});

	test('an id a fixture already holds is skipped', async (t) => {
		const own = await startKaleyraEmulator({
			numbers: { [firstId]: { phoneNumber: '+919765400050', otp: '111111', state: 'pending' } },
		});
		t.after(() => own.close());
		const res = await fetch(own.url + apiPath('add'), {
			method: 'POST',
			headers: JSON_HEADERS,
			body: JSON.stringify(addBody()),
		}).then((r) => r.json());
		assert.equal(res.data.id, '300000000000002');
		// A fixture given without a name or WABA gets a placeholder name and the first WABA.
		assert.deepEqual(own.numbers()[firstId], {
			phoneNumber: '+919765400050',
			name: 'Kaleyra Emulator Number',
			wabaId: WABA,
			verificationType: null,
			otp: '111111',
			state: 'pending',
			otpSentCount: 0,
		});
	});

	test('payload errors: not an object, missing or extra keys, a non-string value', async () => {
		const { country_code: _cc, ...noCountry } = addBody();
		const bodies = [
			'not json',
			'',
			'[]',
			'null',
			noCountry,
			{ ...addBody(), extra: 'x' },
			{ ...addBody(), id: firstId },
			addBody({ phone_number: 9765400099 }),
			addBody({ country_code: 91 }),
			addBody({ name: null }),
			addBody({ verification_type: ['SMS'] }),
			// retry's spelling is not add's
			{ ...noCountry, type_verification: 'SMS', country_code: '91', verification_type: 'SMS' },
		];
		for (const body of bodies) {
			assertReply(await call(apiPath('add'), { body }), RESPONSES.badPayload);
		}
		assert.deepEqual(emulator.otps(), []);
	});

	test('country_code: 1-3 digits, no leading 0', async () => {
		for (const country_code of ['', '0', '091', '1234', '+91', '9a', ' 91']) {
			assertReply(await add({ country_code }), RESPONSES.invalidCountryCode);
		}
		assert.deepEqual(RESPONSES.invalidCountryCode.body, {
			code: 'WA400',
			message: 'invalid country code',
			data: [],
			error: { country_code: 'invalid country code' },
		});
		assert.equal((await add({ country_code: '1', phone_number: '2025550' })).status, 200);
		assert.equal((await add({ country_code: '880', phone_number: '17000000' })).status, 200);
	});

	test('+country_code+phone_number must be E.164, 8 to 15 digits: the documented body', async () => {
		for (const phone_number of [
			'',
			'97654',
			'12345678901234', // 16 digits with 91
			'+9765400099',
			'97654 00099',
			'9765-400099',
			'9765400099\n',
		]) {
			assertReply(await add({ phone_number }), RESPONSES.invalidPhoneNumber);
		}
		assert.equal((await add({ phone_number: '1234567890123' })).status, 200); // 15 digits
		assert.equal((await add({ country_code: '1', phone_number: '2025550' })).status, 200); // 8
	});

	test('name: 3 to 512 characters once trimmed, counted in characters; stored trimmed', async () => {
		for (const name of ['', 'ab', '  ab  ', ' '.repeat(10), 'x'.repeat(513), '😀'.repeat(513)]) {
			assertReply(await add({ name }), RESPONSES.invalidName);
		}
		assert.deepEqual(RESPONSES.invalidName.body, {
			code: 'WA400',
			message: 'name must be 3 to 512 characters',
			data: [],
			error: { name: 'name must be 3 to 512 characters' },
		});
		const trimmed = await add({ name: '  Acme  ' });
		assert.equal(trimmed.body.data.name, 'Acme');
		assert.equal(emulator.numbers()[trimmed.body.data.id].name, 'Acme');
		let phone = 9765400010;
		for (const name of ['abc', 'x'.repeat(512), '😀'.repeat(512)]) {
			assert.equal((await add({ name, phone_number: String(phone++) })).status, 200, name);
		}
	});

	test("verification_type: SMS or VOICE, else retry_otp's validator text under add's key", async () => {
		for (const verification_type of ['sms', 'Voice', 'EMAIL', '']) {
			assertReply(await add({ verification_type }), RESPONSES.badVerificationType);
		}
		const { message } = RESPONSES.badTypeVerification.body;
		assert.deepEqual(RESPONSES.badVerificationType.body, {
			code: 'WA400',
			message,
			data: [],
			error: { verification_type: message },
		});
		const voice = await add({ verification_type: 'VOICE' });
		assert.equal(voice.body.data.verification_type, 'VOICE');
		assert.equal(emulator.otps()[0].channel, 'VOICE');
	});

	test('a number already on the account: 400 phone number already exists', async () => {
		const fixture = { phone_number: NUMBERS.approved.phoneNumber.slice(3) };
		assertReply(await add(fixture), RESPONSES.phoneNumberExists);
		assert.equal((await add()).status, 200);
		assertReply(await add({ name: 'Another name' }), RESPONSES.phoneNumberExists);
		assert.deepEqual(RESPONSES.phoneNumberExists.body, {
			code: 'WA400',
			message: 'phone number already exists',
			data: [],
			error: { phone_number: 'phone number already exists' },
		});
		assert.equal(emulator.otps().length, 1);
		assert.equal(Object.keys(emulator.numbers()).length, Object.keys(NUMBERS).length + 1);
	});

	test('check order: auth, content type, WABA, payload, country code, E.164, name, type, duplicate', async () => {
		const textPlain = { ...JSON_HEADERS, 'content-type': 'text/plain' };
		const allBad = { country_code: '0', phone_number: 'x', name: '', verification_type: 'x' };
		const steps = [
			[{ headers: { ...textPlain, 'api-key': 'x' }, waba: '0', body: '{' }, RESPONSES.authFailed],
			[{ headers: textPlain, waba: '0', body: '{' }, RESPONSES.badPayload],
			[{ waba: '0', body: '{' }, RESPONSES.wabaNotOwned],
			[{ body: { ...addBody(allBad), extra: '' } }, RESPONSES.badPayload],
			[{ body: addBody(allBad) }, RESPONSES.invalidCountryCode],
			[{ body: addBody({ ...allBad, country_code: '91' }) }, RESPONSES.invalidPhoneNumber],
			[{ body: addBody({ name: '', verification_type: 'x' }) }, RESPONSES.invalidName],
			[
				{ body: addBody({ phone_number: '9765400001', verification_type: 'x' }) },
				RESPONSES.badVerificationType,
			],
			[{ body: addBody({ phone_number: '9765400001' }) }, RESPONSES.phoneNumberExists],
		];
		for (const [{ headers = JSON_HEADERS, waba = WABA, body }, expected] of steps) {
			assertReply(await call(apiPath('add', { waba }), { headers, body }), expected);
		}
		assert.deepEqual(emulator.otps(), []);
	});

	test('lifecycle: add, OTP received, verify with it, list and details say CONNECTED', async () => {
		const { id } = (await add()).body.data;
		const details = await get(detailsPath(NEW.phoneNumber.slice(1)));
		assert.deepEqual(details.body, ok({ ...PENDING_DETAILS, verified_name: NEW.name }));
		const listed = (await listOf()).body.data.find((n) => n.id === id);
		assert.deepEqual(listed, {
			id,
			phone_number: NEW.phoneNumber,
			name: NEW.name,
			status: 'PENDING',
			verification_type: 'SMS',
			quality_rating: 'UNKNOWN',
			messaging_limit_tier: null,
			verified_name: NEW.name,
		});

		const [{ otp }] = (await call('/__emulator/otps', { method: 'GET', headers: {} })).body;
		const wrong = otp === '999999' ? '999998' : '999999';
		const body = { id, phone_number: NEW.phoneNumber, otp };
		assertReply(
			await call(apiPath('verify'), { body: { ...body, otp: wrong } }),
			RESPONSES.wrongOtp,
		);
		// A retry sends the same code again, over the channel asked for.
		const retry = { id, phone_number: NEW.phoneNumber, type_verification: 'VOICE' };
		assertReply(await call(apiPath('retry_otp'), { body: retry }), RESPONSES.otpResent);
		assert.deepEqual(
			emulator.otps().map((m) => [m.channel, m.otp, m.reason]),
			[
				['SMS', otp, 'add'],
				['VOICE', otp, 'retry'],
			],
		);
		// The id is a safe integer: a bare JSON number reaches it too.
		const raw = `{"id":${id},"phone_number":"${NEW.phoneNumber}","otp":"${otp}"}`;
		const verified = await call(apiPath('verify'), { body: raw });
		assert.deepEqual([verified.status, verified.body], [200, ok(id)]);

		const after = (await listOf()).body.data.find((n) => n.id === id);
		assert.deepEqual(
			[after.status, after.quality_rating, after.messaging_limit_tier],
			['CONNECTED', 'GREEN', 'TIER_1K'],
		);
		const connected = await get(detailsPath(NEW.phoneNumber.slice(1)));
		assert.deepEqual(connected.body, ok({ ...CONNECTED_DETAILS, verified_name: NEW.name }));
		assertReply(await call(apiPath('verify'), { body }), RESPONSES.alreadyApproved);
		assertReply(await call(apiPath('retry_otp'), { body: retry }), RESPONSES.alreadyApproved);
		assert.equal(emulator.otps().length, 2);
		assert.equal(emulator.numbers()[id].otpSentCount, 2);
	});
});

describe('retry_otp OTP messages', () => {
	test("a fixture's retry records its unchanged OTP over the channel asked for", async () => {
		const n = NUMBERS.pending1;
		await call(apiPath('retry_otp'), { body: retryBody(n) });
		await call(apiPath('retry_otp'), { body: retryBody(n, { type_verification: 'VOICE' }) });
		assert.deepEqual(
			emulator.otps().map(({ sentAt, ...m }) => (assert.ok(sentAt > 0), m)),
			[
				{ phoneNumber: n.phoneNumber, channel: 'SMS', otp: n.otp, reason: 'retry' },
				{ phoneNumber: n.phoneNumber, channel: 'VOICE', otp: n.otp, reason: 'retry' },
			],
		);
		// Refused retries send nothing; verify sends nothing.
		await call(apiPath('retry_otp'), { body: retryBody(NUMBERS.approved) });
		await call(apiPath('retry_otp'), { body: retryBody(NUMBERS.unavailable) });
		await call(apiPath('retry_otp'), { body: retryBody(n, { id: '999999999999999' }) });
		await call(apiPath('verify'), { body: verifyBody(NUMBERS.pending2) });
		assert.equal(emulator.otps().length, 2);
	});

	test('otps() is a copy', async () => {
		await call(apiPath('retry_otp'), { body: retryBody(NUMBERS.pending1) });
		emulator.otps().length = 0;
		emulator.otps()[0].otp = 'xxxxxx';
		assert.equal(emulator.otps().length, 1);
		assert.equal(emulator.otps()[0].otp, NUMBERS.pending1.otp);
	});
});

describe('get many numbers and number details', () => {
	test('the list: every fixture of the first WABA, statuses mapped, no internal state', async () => {
		const { status, body } = await listOf();
		assert.equal(status, 200);
		assert.ok(Array.isArray(body.data));
		assert.deepEqual(
			body.data.map((n) => [n.id, n.status]),
			Object.values(NUMBERS).map((n) => [n.id, n.state === 'approved' ? 'CONNECTED' : 'PENDING']),
		);
		const approved = body.data.find((n) => n.id === NUMBERS.approved.id);
		assert.deepEqual(approved, {
			id: NUMBERS.approved.id,
			phone_number: NUMBERS.approved.phoneNumber,
			name: NUMBERS.approved.name,
			status: 'CONNECTED',
			quality_rating: 'GREEN',
			messaging_limit_tier: 'TIER_1K',
			verified_name: NUMBERS.approved.name,
		});
		assert.ok(body.data.every((n) => !('state' in n) && !('otp' in n)));
		// A query string is ignored.
		assert.deepEqual((await get(`${apiPath('')}?limit=1`)).body, body);
	});

	test('WABA isolation: each WABA lists its own numbers; verify needs the right WABA', async (t) => {
		const [A, B] = ['766000000000001', '766000000000002'];
		const own = await startKaleyraEmulator({ account: { wabaIds: [A, B] } });
		t.after(() => own.close());
		const post = (operation, waba, body) =>
			fetch(own.url + apiPath(operation, { waba }), {
				method: 'POST',
				headers: JSON_HEADERS,
				body: JSON.stringify(body),
			}).then(async (res) => ({ status: res.status, body: await res.json() }));

		assert.deepEqual((await listOf(B, own)).body, ok([]));
		const added = await post('add', B, addBody());
		const { id } = added.body.data;
		assert.equal(own.numbers()[id].wabaId, B);
		assert.deepEqual(
			(await listOf(B, own)).body.data.map((n) => n.id),
			[id],
		);
		const inA = (await listOf(A, own)).body.data.map((n) => n.id);
		assert.deepEqual(
			inA,
			Object.values(NUMBERS).map((n) => n.id),
		);
		// A number is on the account once, whichever WABA asks.
		assertReply(await post('add', A, addBody()), RESPONSES.phoneNumberExists);
		// Its id belongs to B: through A it is unknown (an assumption), through B it verifies.
		const { otp } = own.otps()[0];
		const verify = { id, phone_number: NEW.phoneNumber, otp };
		assertReply(await post('verify', A, verify), RESPONSES.unknownPhoneNumberId);
		assertReply(
			await post('retry_otp', A, { id, phone_number: NEW.phoneNumber, type_verification: 'SMS' }),
			RESPONSES.unknownPhoneNumberId,
		);
		assertReply(await post('verify', B, retryBody(NUMBERS.pending1)), RESPONSES.badPayload);
		assertReply(
			await post('verify', B, verifyBody(NUMBERS.pending1)),
			RESPONSES.unknownPhoneNumberId,
		);
		assert.equal((await post('verify', B, verify)).status, 200);
		assert.equal((await listOf(B, own)).body.data[0].status, 'CONNECTED');
	});

	test('details of the fixtures: pending, approved, unavailable (still PENDING)', async () => {
		const of = (n) => get(detailsPath(n.phoneNumber.slice(1))).then((r) => r.body);
		assert.deepEqual(
			await of(NUMBERS.pending1),
			ok({ ...PENDING_DETAILS, verified_name: NUMBERS.pending1.name }),
		);
		assert.deepEqual(
			await of(NUMBERS.approved),
			ok({ ...CONNECTED_DETAILS, verified_name: NUMBERS.approved.name }),
		);
		assert.deepEqual(
			await of(NUMBERS.unavailable),
			ok({ ...PENDING_DETAILS, verified_name: NUMBERS.unavailable.name }),
		);
		assert.deepEqual(Object.keys((await of(NUMBERS.pending1)).data).sort(), [
			'can_receive_call',
			'can_send_message',
			'entity_type',
			'error',
			'error_description',
			'messaging_limit_tier',
			'name_status',
			'possible_solution',
			'quality_rating',
			'quality_score',
			'status',
			'throughput_level',
			'verified_name',
		]);
	});

	test("details: unknown, '+', %2B, too short or long, not digits: 400 invalid phone number", async () => {
		for (const phone of [
			'919999999999',
			'+919765400001',
			'%2B919765400001',
			'1234567',
			'1234567890123456',
			'0919765400001',
			'91976540000a',
			'%20919765400001',
		]) {
			const res = await get(detailsPath(phone));
			assert.deepEqual([res.status, res.body], [400, RESPONSES.invalidPhoneNumber.body], phone);
		}
	});

	test('details: api key and sid checked, no WABA check, any WABA of the account', async (t) => {
		const phone = NUMBERS.pending1.phoneNumber.slice(1);
		const wrongKey = await fetch(emulator.url + detailsPath(phone), {
			headers: { 'api-key': 'x' },
		});
		assert.equal(wrongKey.status, 401);
		assert.deepEqual(await wrongKey.json(), RESPONSES.authFailed.body);
		const wrongSid = await get(detailsPath(phone, { s: 'HXOTHER' }));
		assert.deepEqual(wrongSid.body, RESPONSES.authFailed.body);
		// No body, no content type needed.
		assert.equal((await get(detailsPath(phone))).status, 200);

		const [A, B] = ['766000000000001', '766000000000002'];
		const own = await startKaleyraEmulator({ account: { wabaIds: [A, B] } });
		t.after(() => own.close());
		await fetch(own.url + apiPath('add', { waba: B }), {
			method: 'POST',
			headers: JSON_HEADERS,
			body: JSON.stringify(addBody()),
		}).then((r) => r.text());
		const res = await get(detailsPath(NEW.phoneNumber.slice(1)), own);
		assert.equal(res.body.data.status, 'PENDING');
	});
});

describe('control API for OTPs, the OTP page, onOtp, the CLI', () => {
	test('GET /__emulator/otps, all or one number (+, %2B or digits)', async () => {
		await add();
		await call(apiPath('retry_otp'), { body: retryBody(NUMBERS.pending1) });
		await call(apiPath('retry_otp'), { body: retryBody(NUMBERS.pending2) });
		const otps = (query = '') =>
			call(`/__emulator/otps${query}`, { method: 'GET', headers: {} }).then((r) => r.body);
		assert.deepEqual(await otps(), emulator.otps());
		assert.deepEqual(
			(await otps()).map((m) => m.phoneNumber),
			[NEW.phoneNumber, NUMBERS.pending1.phoneNumber, NUMBERS.pending2.phoneNumber],
		);
		for (const query of ['?phone=+919765400001', '?phone=%2B919765400001', '?phone=919765400001']) {
			const only = await otps(query);
			assert.deepEqual(
				only.map((m) => [m.phoneNumber, m.otp]),
				[[NUMBERS.pending1.phoneNumber, NUMBERS.pending1.otp]],
				query,
			);
		}
		assert.deepEqual(await otps('?phone=+910000000000'), []);
		assert.equal((await otps('?phone=')).length, 3);

		const numbers = await call('/__emulator/numbers', { method: 'GET', headers: {} });
		assert.deepEqual(numbers.body[firstId], emulator.numbers()[firstId]);
		assert.equal(numbers.body[firstId].wabaId, WABA);
	});

	test('reset: added numbers, OTP messages and both counters back to the start', async () => {
		await add();
		await add({ phone_number: '9765400098' });
		await call('/__emulator/reset', { headers: {} });
		assert.deepEqual(emulator.otps(), []);
		assert.deepEqual(
			Object.keys(emulator.numbers()),
			Object.values(NUMBERS).map((n) => n.id),
		);
		assert.equal((await listOf()).body.data.length, Object.keys(NUMBERS).length);
		assertReply(
			await call(apiPath('verify'), {
				body: { id: '300000000000002', phone_number: '+919765400098', otp: otpAt(1) },
			}),
			RESPONSES.unknownPhoneNumberId,
		);
		const again = await add({ phone_number: '9765400098' });
		assert.equal(again.body.data.id, firstId);
		assert.equal(emulator.otps()[0].otp, otpAt(0));
	});

	test('GET /__emulator/: self-contained HTML, numbers with status, OTPs newest first', async () => {
		await add({ name: '<script>alert("x")</script> & Co' });
		await call(apiPath('verify'), { body: verifyBody(NUMBERS.pending2) });
		await call(apiPath('retry_otp'), {
			body: retryBody(NUMBERS.pending1, { type_verification: 'VOICE' }),
		});
		for (const path of ['/__emulator/', '/__emulator']) {
			const res = await fetch(emulator.url + path);
			assert.equal(res.status, 200);
			assert.match(res.headers.get('content-type'), /^text\/html; charset=utf-8/);
			assert.match(res.headers.get('content-security-policy'), /default-src 'none'/);
			const html = await res.text();
			assert.match(html, /^<!doctype html>/);
			assert.doesNotMatch(html, /<script|src=|href=|@import|url\(/i);
			assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'));
			for (const n of Object.values(NUMBERS)) assert.ok(html.includes(n.phoneNumber));
			const row = (n, status) => new RegExp(`<tr><td>\\${n.phoneNumber}</td>[^\\n]*>${status}<`);
			assert.match(html, row(NUMBERS.pending2, 'CONNECTED'));
			assert.match(html, row(NUMBERS.pending1, 'PENDING'));
			assert.match(html, row(NEW, 'PENDING'));
			// Newest first: the retry's VOICE code above the add's SMS one.
			const voice = html.indexOf(`Voice call to <b>${NUMBERS.pending1.phoneNumber}`);
			const sms = html.indexOf(`SMS to <b>${NEW.phoneNumber}`);
			assert.ok(voice > 0 && sms > voice, `${voice} ${sms}`);
			assert.ok(html.includes(`<b class="otp">${otpAt(0)}</b>`));
			assert.ok(html.includes(`<b class="otp">${NUMBERS.pending1.otp}</b>`));
		}
		// Unknown control routes still answer JSON 404s; the page is GET only.
		assert.equal((await call('/__emulator/', { headers: {}, body: '' })).status, 404);
		assert.equal((await call('/__emulator/nope', { method: 'GET', headers: {} })).status, 404);
		assert.equal(emulator.requests.length, 3); // control calls are not logged
	});

	test('onOtp sees every OTP; recordRequests: false keeps no OTP messages', async (t) => {
		const seen = [];
		const quiet = await startKaleyraEmulator({ recordRequests: false, onOtp: (m) => seen.push(m) });
		t.after(() => quiet.close());
		const post = (operation, body) =>
			fetch(quiet.url + apiPath(operation), {
				method: 'POST',
				headers: JSON_HEADERS,
				body: JSON.stringify(body),
			}).then((r) => r.text());
		await post('add', addBody());
		await post('retry_otp', retryBody(NUMBERS.pending1));
		assert.deepEqual(
			seen.map((m) => [m.phoneNumber, m.reason]),
			[
				[NEW.phoneNumber, 'add'],
				[NUMBERS.pending1.phoneNumber, 'retry'],
			],
		);
		assert.deepEqual(quiet.otps(), []);
		assert.equal(quiet.numbers()[NUMBERS.pending1.id].otpSentCount, 1);
	});

	test('the CLI, run with no argument: URL line first, then one line per OTP; SIGTERM exits 0', async (t) => {
		const cli = fileURLToPath(new URL('../../emulator/cli.mjs', import.meta.url));
		// The environment keeps NODE_TEST_CONTEXT: outside test/, nothing stops the CLI now.
		const child = spawn(process.execPath, [cli], { stdio: ['ignore', 'pipe', 'inherit'] });
		t.after(() => child.kill('SIGKILL'));
		const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
		let out = '';
		const lines = async (count) => {
			while (out.split('\n').length <= count) {
				if (child.exitCode !== null) throw new Error(`cli exited: ${out}`);
				await sleep(5);
			}
			return out.split('\n').slice(0, count);
		};
		child.stdout.setEncoding('utf8').on('data', (chunk) => {
			out += chunk;
		});
		const [first] = await lines(1);
		const url = /^KALEYRA_EMULATOR_URL=(http:\/\/127\.0\.0\.1:\d+)$/.exec(first)?.[1];
		assert.ok(url, first);
		const post = (operation, body) =>
			fetch(url + apiPath(operation), {
				method: 'POST',
				headers: JSON_HEADERS,
				body: JSON.stringify(body),
			}).then((r) => r.json());
		const { data } = await post('add', addBody());
		await post('retry_otp', {
			id: data.id,
			phone_number: NEW.phoneNumber,
			type_verification: 'VOICE',
		});
		const page = await fetch(`${url}/__emulator/`).then((r) => r.text());
		assert.ok(page.includes(otpAt(0)));
		assert.deepEqual((await lines(3)).slice(1), [
			`[kaleyra-emulator] SMS to ${NEW.phoneNumber}: your WhatsApp code is ${otpAt(0)}`,
			`[kaleyra-emulator] VOICE to ${NEW.phoneNumber}: your WhatsApp code is ${otpAt(0)}`,
		]);
		child.kill('SIGTERM');
		assert.equal(await exited, 0);
	});
});

describe('faults reach add and the GETs', () => {
	test('a queued 429 stops an add before processing: no number, no OTP; then it goes through', async () => {
		emulator.setFaults({ queue: ['http429', 'ok'] });
		assert.equal((await add()).status, 429);
		assert.deepEqual(emulator.otps(), []);
		assert.equal(emulator.numbers()[firstId], undefined);
		assert.equal((await add()).status, 200);
		assert.deepEqual(
			emulator.requests.map((r) => [r.fault, r.processed, r.code]),
			[
				['http429', false, null],
				[null, true, 'WA200'],
			],
		);
	});

	test('byPhoneNumberId names an add by its E.164 digits, with +, or national number', async () => {
		for (const key of ['919765400099', '+919765400099', '9765400099']) {
			emulator.reset();
			emulator.setFaults({ byPhoneNumberId: { [key]: ['http500'] } });
			assert.equal((await add({ phone_number: '9765400098' })).status, 200, key); // another number
			assert.equal((await add()).status, 500, key);
			assert.equal((await add()).status, 200, key);
		}
	});

	test('reset after processing: the number was added and its OTP sent, the answer lost', async () => {
		emulator.setFaults({ byPhoneNumberId: { 919765400099: ['reset'] } });
		await assert.rejects(add(), TypeError);
		const [entry] = emulator.requests;
		assert.deepEqual(
			[entry.fault, entry.processed, entry.code, entry.status],
			['reset', true, 'WA200', null],
		);
		assert.equal(emulator.numbers()[firstId].phoneNumber, NEW.phoneNumber);
		assert.equal(emulator.otps().length, 1);
		// Adding it again, as a client would after losing the answer, finds it there.
		assertReply(await add(), RESPONSES.phoneNumberExists);
	});

	test('malformedJson after processing on add; answer:<name> scripts the new bodies', async () => {
		emulator.setFaults({ queue: ['malformedJson', 'answer:phoneNumberExists'] });
		const cut = await fetch(emulator.url + apiPath('add'), {
			method: 'POST',
			headers: JSON_HEADERS,
			body: JSON.stringify(addBody()),
		});
		await assert.rejects(cut.json(), SyntaxError);
		assert.equal(emulator.otps().length, 1);
		assertReply(await add({ phone_number: '9765400098' }), RESPONSES.phoneNumberExists);
		assert.equal(emulator.otps().length, 1);
	});

	test('GETs get queue and probability faults, not byPhoneNumberId ones', async () => {
		const phone = NUMBERS.pending1.phoneNumber.slice(1);
		emulator.setFaults({
			byPhoneNumberId: { [phone]: ['http500'], [NUMBERS.pending1.id]: ['http500'] },
		});
		assert.equal((await get(detailsPath(phone))).status, 200);
		assert.equal((await listOf()).status, 200);

		emulator.setFaults({ queue: ['http503', 'wa500TryLater', 'empty'] });
		assert.equal((await listOf()).status, 503);
		assertReply(await get(detailsPath(phone)), RESPONSES.tryLater);
		const empty = await fetch(emulator.url + detailsPath(phone), { headers: KEY_ONLY });
		assert.deepEqual([empty.status, await empty.text()], [200, '']);

		emulator.setFaults({ probabilities: { html: 1 } });
		const html = await fetch(emulator.url + detailsPath(phone), { headers: KEY_ONLY });
		assert.equal(html.status, 502);
		assert.match(await html.text(), /nginx/);
		assert.deepEqual(
			emulator.requests.slice(-4).map((r) => [r.fault, r.processed]),
			[
				['http503', false],
				['wa500TryLater', false],
				['empty', true],
				['html', false],
			],
		);
	});
});
