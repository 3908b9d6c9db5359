// Self-check of the emulator: every documented response on both operations, the check order,
// the control API and a few faults. Run: node --test test/emulator/
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createGunzip, gunzipSync } from 'node:zlib';

import {
	CATCHER_PATH,
	DEFAULT_ACCOUNT,
	FAULT_KINDS,
	NUMBERS,
	RESPONSES,
	startKaleyraEmulator,
} from './kaleyra-emulator.mjs';

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
			status: 'pending',
		});
	});

	test('anything else is an (undocumented) 404 WA404', async () => {
		assertReply(await call(apiPath('verify'), { method: 'GET' }), RESPONSES.notFound);
		assertReply(await call(apiPath('add'), { body: {} }), RESPONSES.notFound);
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
		assert.equal(FAULT_KINDS.length, 25);
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
