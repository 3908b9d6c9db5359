// The emulator's dialects (emulator/dialect.mjs): every axis and value, how it is chosen
// (option, setDialect, control API, CLI), reset; and a number's raw values set from the
// control API and in-process. Run: node --test test/emulator/
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, test } from 'node:test';

import {
	DEFAULT_ACCOUNT,
	DEFAULT_DIALECT,
	DIALECT_AXES,
	FIRST_ADDED_ID,
	FIRST_ADDED_ID_14,
	LIMIT_VALUES,
	NAME_STATUS_VALUES,
	NUMBERS,
	QUALITY_VALUES,
	RESPONSES,
	STATUS_VALUES,
	otpAt,
	parseDialectArg,
	startKaleyraEmulator,
} from '../../emulator/kaleyra-emulator.mjs';

const { sid, apiKey, wabaIds } = DEFAULT_ACCOUNT;
const WABA = wabaIds[0];
const JSON_HEADERS = { 'api-key': apiKey, 'content-type': 'application/json' };
const NEW = { phoneNumber: '+919765400099' };
const ADD = {
	phone_number: '9765400099',
	name: 'New Co',
	verification_type: 'SMS',
	country_code: '91',
};

let emulator;
before(async () => {
	emulator = await startKaleyraEmulator();
});
after(() => emulator.close());
beforeEach(() => emulator.reset());

const numberPath = (operation = '') =>
	`/v2/${sid}/whatsapp/${WABA}/number${operation ? `/${operation}` : ''}`;
const detailsPath = (phone) => `/v2/${sid}/whatsapp/${phone}/phone_number_details`;

async function call(path, { method = 'GET', body, target = emulator, absolute = false } = {}) {
	const headers = method === 'POST' ? JSON_HEADERS : { 'api-key': apiKey };
	const text = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
	const res = await fetch(absolute ? path : target.url + path, { method, headers, body: text });
	const raw = await res.text();
	return { status: res.status, body: raw ? JSON.parse(raw) : null };
}
const post = (path, body, options) => call(path, { method: 'POST', body, ...options });
const control = async (name, body) => {
	const res = await fetch(`${emulator.url}/__emulator/${name}`, {
		method: body === undefined ? 'GET' : 'POST',
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: res.status, body: await res.json() };
};
const assertReply = (res, reply) =>
	assert.deepEqual([res.status, res.body], [reply.status, reply.body]);

describe('choosing a dialect', () => {
	test('DIALECT_AXES lists every axis with its default first; dialect() is the full current one', () => {
		assert.deepEqual(Object.keys(DIALECT_AXES), [
			'detailsPath',
			'wrongPathAnswer',
			'accepted',
			'health',
			'limits',
			'listShape',
			'addShape',
			'paging',
			'idLength',
		]);
		for (const [axis, values] of Object.entries(DIALECT_AXES)) {
			assert.equal(DEFAULT_DIALECT[axis], values[0], axis);
		}
		assert.deepEqual(emulator.dialect(), {
			detailsPath: 'plus',
			wrongPathAnswer: 'wa401',
			accepted: 'WA200',
			health: 'strings',
			limits: 'portfolio',
			listShape: 'array',
			addShape: 'object',
			paging: 'none',
			idLength: 15,
			pageSize: 25,
		});
	});

	test('setDialect changes only the axes given; unknown axes and values throw TypeError and change nothing', () => {
		assert.equal(emulator.setDialect({ accepted: 'WA202' }).accepted, 'WA202');
		assert.equal(emulator.dialect().detailsPath, 'plus');
		for (const bad of [
			{ nope: 1 },
			{ detailsPath: 'hash' },
			{ idLength: '14' },
			{ pageSize: 0 },
			{ pageSize: 2.5 },
			null,
			[],
		]) {
			assert.throws(() => emulator.setDialect(bad), TypeError, JSON.stringify(bad));
		}
		assert.equal(emulator.dialect().accepted, 'WA202');
		emulator.reset();
		assert.deepEqual(emulator.dialect(), DEFAULT_DIALECT);
	});

	test('the start option is what reset() comes back to; a bad one refuses to start', async (t) => {
		const own = await startKaleyraEmulator({ dialect: { detailsPath: 'digits', idLength: 14 } });
		t.after(() => own.close());
		own.setDialect({ detailsPath: 'both' });
		own.reset();
		assert.deepEqual(own.dialect(), { ...DEFAULT_DIALECT, detailsPath: 'digits', idLength: 14 });
		await assert.rejects(startKaleyraEmulator({ dialect: { limits: 'none' } }), TypeError);
	});

	test('control API: GET and POST /__emulator/dialect; a bad axis answers 400 and changes nothing', async () => {
		assert.deepEqual(await control('dialect'), { status: 200, body: DEFAULT_DIALECT });
		const set = await control('dialect', { health: 'booleans', pageSize: 2 });
		assert.deepEqual(set, {
			status: 200,
			body: { ...DEFAULT_DIALECT, health: 'booleans', pageSize: 2 },
		});
		const bad = await control('dialect', { health: 'maybe' });
		assert.equal(bad.status, 400);
		assert.match(bad.body.error, /health/);
		assert.equal(emulator.dialect().health, 'booleans');
		await control('reset', {});
		assert.deepEqual(emulator.dialect(), DEFAULT_DIALECT);
	});

	test('parseDialectArg: axis=value pairs, numbers as numbers, validated', () => {
		assert.deepEqual(parseDialectArg('detailsPath=digits, idLength=14,pageSize=3'), {
			detailsPath: 'digits',
			idLength: 14,
			pageSize: 3,
		});
		assert.deepEqual(parseDialectArg(''), {});
		assert.throws(() => parseDialectArg('detailsPath'), TypeError);
		assert.throws(() => parseDialectArg('accepted=WA201'), TypeError);
	});

	test('the CLI takes --dialect, and refuses a bad one with exit 2', async (t) => {
		const cli = fileURLToPath(new URL('../../emulator/cli.mjs', import.meta.url));
		const child = spawn(process.execPath, [cli, '--dialect', 'accepted=WA202,detailsPath=digits'], {
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		t.after(() => child.kill('SIGKILL'));
		const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
		const url = await new Promise((resolve, reject) => {
			let out = '';
			child.stdout.setEncoding('utf8').on('data', (chunk) => {
				out += chunk;
				const match = /^KALEYRA_EMULATOR_URL=(\S+)\n/.exec(out);
				if (match) resolve(match[1]);
			});
			child.once('exit', () => reject(new Error(`cli exited: ${out}`)));
		});
		const dialect = await fetch(`${url}/__emulator/dialect`).then((r) => r.json());
		assert.deepEqual(dialect, { ...DEFAULT_DIALECT, accepted: 'WA202', detailsPath: 'digits' });
		child.kill('SIGTERM');
		assert.equal(await exited, 0);

		const bad = spawn(process.execPath, [cli, '--dialect', 'paging=pages'], {
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		let stderr = '';
		bad.stderr.setEncoding('utf8').on('data', (chunk) => {
			stderr += chunk;
		});
		assert.equal(await new Promise((resolve) => bad.once('exit', resolve)), 2);
		assert.match(stderr, /paging/);
	});
});

describe('detailsPath and wrongPathAnswer', () => {
	const approved = NUMBERS.approved.phoneNumber; // '+9197...'
	const forms = {
		plus: approved,
		encoded: `%2B${approved.slice(1)}`,
		encodedLower: `%2b${approved.slice(1)}`,
		digits: approved.slice(1),
	};
	const statusOf = async (form) => {
		const res = await call(detailsPath(forms[form]));
		return res.status === 200 ? res.body.data.status : `${res.status} ${res.body.code}`;
	};

	test("'plus' (default): '+' literal or %2B, any case, answers; digits only is refused with WA401", async () => {
		assert.equal(await statusOf('plus'), 'CONNECTED');
		assert.equal(await statusOf('encoded'), 'CONNECTED');
		assert.equal(await statusOf('encodedLower'), 'CONNECTED');
		assertReply(await call(detailsPath(forms.digits)), RESPONSES.unauthorizedPhoneNumber);
		assert.equal(RESPONSES.unauthorizedPhoneNumber.status, 401);
		assert.equal(
			RESPONSES.unauthorizedPhoneNumber.body.message,
			'Unauthorized phone number – Phone number is not present or does not belong to the account.',
		);
	});

	test("'digits': digits only answers; '+' and %2B are refused", async () => {
		emulator.setDialect({ detailsPath: 'digits' });
		assert.equal(await statusOf('digits'), 'CONNECTED');
		assert.equal(await statusOf('plus'), '401 WA401');
		assert.equal(await statusOf('encoded'), '401 WA401');
	});

	test("'both': every form answers", async () => {
		emulator.setDialect({ detailsPath: 'both' });
		for (const form of Object.keys(forms)) assert.equal(await statusOf(form), 'CONNECTED', form);
	});

	test("wrongPathAnswer 'wa400': the refused form and an unknown number get 400 invalid phone number", async () => {
		emulator.setDialect({ wrongPathAnswer: 'wa400' });
		assertReply(await call(detailsPath(forms.digits)), RESPONSES.invalidPhoneNumber);
		assertReply(await call(detailsPath('+919999999999')), RESPONSES.invalidPhoneNumber);
		emulator.setDialect({ detailsPath: 'digits' });
		assertReply(await call(detailsPath(forms.encoded)), RESPONSES.invalidPhoneNumber);
		assert.equal(await statusOf('digits'), 'CONNECTED');
	});
});

describe('accepted', () => {
	const accepting = async () => {
		const added = await post(numberPath('add'), ADD);
		const id = String(FIRST_ADDED_ID);
		const retried = await post(numberPath('retry_otp'), {
			id,
			phone_number: NEW.phoneNumber,
			type_verification: 'SMS',
		});
		const verified = await post(numberPath('verify'), {
			id,
			phone_number: NEW.phoneNumber,
			otp: emulator.numbers()[id].otp,
		});
		const listed = await call(numberPath());
		const details = await call(detailsPath(NEW.phoneNumber));
		return { added, retried, verified, listed, details, id };
	};

	test("'WA200' (default): 200 WA200 'Request Processed Successfully' for add, retry, verify, list, details", async () => {
		const answers = await accepting();
		for (const name of ['added', 'retried', 'verified', 'listed', 'details']) {
			const { status, body } = answers[name];
			assert.deepEqual(
				[status, body.code, body.message],
				[200, 'WA200', 'Request Processed Successfully'],
				name,
			);
		}
	});

	test("'WA202': HTTP 202 WA202 'Request Accepted.' with the same data, and the request took effect", async () => {
		emulator.setDialect({ accepted: 'WA202' });
		const answers = await accepting();
		for (const name of ['added', 'retried', 'verified', 'listed', 'details']) {
			const { status, body } = answers[name];
			assert.deepEqual(
				[status, body.code, body.message],
				[202, 'WA202', 'Request Accepted.'],
				name,
			);
			assert.deepEqual(body.error, {});
		}
		assert.equal(answers.retried.body.data, true);
		assert.equal(answers.verified.body.data, answers.id);
		assert.equal(emulator.numbers()[answers.id].state, 'approved');
		assert.deepEqual(
			emulator.otps().map((m) => m.reason),
			['add', 'retry'],
		);
		assert.deepEqual(
			emulator.requests.map((r) => [r.status, r.code]),
			Array.from({ length: 5 }, () => [202, 'WA202']),
		);
		// Refusals are unchanged.
		assertReply(
			await post(numberPath('verify'), {
				id: NUMBERS.approved.id,
				phone_number: NUMBERS.approved.phoneNumber,
				otp: NUMBERS.approved.otp,
			}),
			RESPONSES.alreadyApproved,
		);
	});
});

describe('health and limits', () => {
	const details = async (n = NUMBERS.approved) =>
		(await call(detailsPath(n.phoneNumber))).body.data;
	const listed = async (n = NUMBERS.approved) =>
		(await call(numberPath())).body.data.find((entry) => entry.id === n.id);

	test("health 'strings' (default): can_send_message AVAILABLE / BLOCKED, can_receive_call_sip; no booleans", async () => {
		const connected = await details();
		assert.equal(connected.can_send_message, 'AVAILABLE');
		assert.equal(connected.can_receive_call_sip, 'BLOCKED');
		assert.ok(!('can_receive_call' in connected));
		assert.equal((await details(NUMBERS.pending1)).can_send_message, 'BLOCKED');
		emulator.updateNumber(NUMBERS.approved.id, { qualityRating: 'RED' });
		assert.equal((await details()).can_send_message, 'LIMITED');
	});

	test("health 'booleans': can_send_message true / false, can_receive_call false", async () => {
		emulator.setDialect({ health: 'booleans' });
		const connected = await details();
		assert.deepEqual([connected.can_send_message, connected.can_receive_call], [true, false]);
		assert.ok(!('can_receive_call_sip' in connected));
		assert.equal((await details(NUMBERS.pending1)).can_send_message, false);
	});

	const LIMIT_KEYS = [
		'messaging_limit_tier',
		'whatsapp_business_manager_messaging_limit',
		'max_daily_conversations_per_business',
	];
	const limitsOf = (data) =>
		Object.fromEntries(LIMIT_KEYS.filter((key) => key in data).map((key) => [key, data[key]]));

	test("limits 'portfolio' (default), 'tier', 'both', in details and the list; none yet is null, never a tier", async () => {
		const expected = {
			portfolio: {
				whatsapp_business_manager_messaging_limit: 'TIER_2K',
				max_daily_conversations_per_business: 2000,
			},
			tier: { messaging_limit_tier: 'TIER_2K' },
		};
		expected.both = { ...expected.tier, ...expected.portfolio };
		for (const limits of DIALECT_AXES.limits) {
			emulator.setDialect({ limits });
			assert.deepEqual(limitsOf(await details()), expected[limits], limits);
			assert.deepEqual(limitsOf(await listed()), expected[limits], limits);
			const pending = limitsOf(await details(NUMBERS.pending1));
			assert.deepEqual(Object.keys(pending), Object.keys(expected[limits]), limits);
			assert.ok(
				Object.values(pending).every((value) => value === null),
				limits,
			);
		}
	});

	test('a set limit shows as set; unlimited has no daily count', async () => {
		emulator.updateNumber(NUMBERS.approved.id, { limit: 'TIER_UNLIMITED' });
		emulator.setDialect({ limits: 'both' });
		assert.deepEqual(limitsOf(await details()), {
			messaging_limit_tier: 'TIER_UNLIMITED',
			whatsapp_business_manager_messaging_limit: 'TIER_UNLIMITED',
			max_daily_conversations_per_business: null,
		});
		emulator.updateNumber(NUMBERS.approved.id, { limit: 'TIER_250' });
		assert.equal((await details()).max_daily_conversations_per_business, 250);
	});
});

describe('list shapes and paging', () => {
	const ids = Object.values(NUMBERS).map((n) => n.id);
	const listOf = async (query = '') => call(numberPath() + query);

	test('listShape: array (default), numbers, phone_numbers, data: the same entries, no paging', async () => {
		const where = {
			array: (data) => data,
			numbers: (data) => data.numbers,
			phone_numbers: (data) => data.phone_numbers,
			data: (data) => data.data,
		};
		for (const listShape of DIALECT_AXES.listShape) {
			emulator.setDialect({ listShape });
			const { body } = await listOf();
			const entries = where[listShape](body.data);
			assert.deepEqual(
				entries.map((n) => n.id),
				ids,
				listShape,
			);
			if (listShape !== 'array') assert.deepEqual(Object.keys(body.data), [listShape], listShape);
		}
	});

	test("paging 'cursor': pages of pageSize, 'after' and an absolute 'next' until the last page", async () => {
		for (const listShape of DIALECT_AXES.listShape) {
			emulator.setDialect({ paging: 'cursor', pageSize: 4, listShape });
			const key = listShape === 'array' ? 'data' : listShape;
			const first = await listOf();
			assert.deepEqual(Object.keys(first.body.data).sort(), [key, 'paging'].sort(), listShape);
			assert.deepEqual(
				first.body.data[key].map((n) => n.id),
				ids.slice(0, 4),
			);
			const { after: cursor } = first.body.data.paging.cursors;
			const { next } = first.body.data.paging;
			assert.equal(next, `${emulator.url}${numberPath()}?after=${encodeURIComponent(cursor)}`);
			const viaAfter = await listOf(`?after=${encodeURIComponent(cursor)}`);
			const viaNext = await call(next, { absolute: true });
			assert.deepEqual(viaNext.body, viaAfter.body);
			assert.deepEqual(
				viaAfter.body.data[key].map((n) => n.id),
				ids.slice(4),
			);
			assert.ok(!('after' in viaAfter.body.data.paging.cursors), listShape);
			assert.ok(!('next' in viaAfter.body.data.paging), listShape);
		}
	});

	test('paging: a whole list in one page has no after; a cursor not from the list is a 400', async () => {
		emulator.setDialect({ paging: 'cursor' }); // pageSize 25 > 6 fixtures
		const { body } = await listOf();
		assert.equal(body.data.data.length, ids.length);
		assert.deepEqual(Object.keys(body.data.paging.cursors), ['before']);
		assertReply(await listOf('?after=nonsense'), RESPONSES.invalidCursor);
		// Without paging, `after` is ignored like any other query.
		emulator.setDialect({ paging: 'none' });
		assert.equal((await listOf('?after=nonsense')).body.data.length, ids.length);
	});
});

describe('add shapes and id length', () => {
	test('addShape: object (default), phoneNumberId, bare: the same id', async () => {
		const rest = {
			phone_number: NEW.phoneNumber,
			name: 'New Co',
			verification_type: 'SMS',
			status: 'PENDING',
		};
		const expected = {
			object: { id: String(FIRST_ADDED_ID), ...rest },
			phoneNumberId: { phone_number_id: String(FIRST_ADDED_ID), ...rest },
			bare: String(FIRST_ADDED_ID),
		};
		for (const addShape of DIALECT_AXES.addShape) {
			emulator.reset();
			emulator.setDialect({ addShape });
			const { status, body } = await post(numberPath('add'), ADD);
			assert.deepEqual([status, body.data], [200, expected[addShape]], addShape);
		}
	});

	test('idLength: 15 (default) or 14 digits, safe integers', async () => {
		const idOf = async () => (await post(numberPath('add'), ADD)).body.data.id;
		assert.equal(await idOf(), '300000000000001');
		emulator.reset();
		emulator.setDialect({ idLength: 14 });
		const id = await idOf();
		assert.deepEqual([id, id.length], [String(FIRST_ADDED_ID_14), 14]);
		assert.ok(Number.isSafeInteger(Number(id)));
		// A bare JSON number carries it exactly to verify.
		const raw = `{"id":${id},"phone_number":"${NEW.phoneNumber}","otp":"${emulator.numbers()[id].otp}"}`;
		assert.equal((await post(numberPath('verify'), raw)).body.data, id);
	});
});

describe("a number's raw values", () => {
	const n = NUMBERS.approved;
	const shown = async () => {
		const details = (await call(detailsPath(n.phoneNumber))).body.data;
		const entry = (await call(numberPath())).body.data.find((e) => e.id === n.id);
		return {
			details: [
				details.status,
				details.name_status,
				details.quality_rating,
				details.whatsapp_business_manager_messaging_limit,
			],
			list: [
				entry.status,
				entry.name_status,
				entry.quality_rating,
				entry.whatsapp_business_manager_messaging_limit,
			],
		};
	};

	test('every value of every set can be set in-process and shows raw in details and the list', async () => {
		const sets = {
			status: STATUS_VALUES,
			nameStatus: NAME_STATUS_VALUES,
			qualityRating: QUALITY_VALUES,
			limit: LIMIT_VALUES,
		};
		assert.deepEqual(STATUS_VALUES.slice(0, 5), [
			'CONNECTED',
			'PENDING',
			'FLAGGED',
			'RESTRICTED',
			'OFFLINE',
		]);
		assert.deepEqual(NAME_STATUS_VALUES, [
			'APPROVED',
			'AVAILABLE_WITHOUT_REVIEW',
			'PENDING_REVIEW',
			'DECLINED',
			'EXPIRED',
			'NONE',
		]);
		assert.deepEqual(QUALITY_VALUES, ['GREEN', 'YELLOW', 'RED', 'UNKNOWN']);
		const index = { status: 0, nameStatus: 1, qualityRating: 2, limit: 3 };
		for (const [key, values] of Object.entries(sets)) {
			for (const value of values) {
				const returned = emulator.updateNumber(n.id, { [key]: value });
				assert.equal(returned[key], value);
				const { details, list } = await shown();
				assert.equal(details[index[key]], value, `${key}=${value}`);
				assert.equal(list[index[key]], value, `${key}=${value}`);
			}
			emulator.reset();
		}
	});

	test('bad updates throw TypeError: unknown id, key or value', () => {
		assert.throws(() => emulator.updateNumber('999', { status: 'FLAGGED' }), TypeError);
		assert.throws(() => emulator.updateNumber(n.id, { colour: 'RED' }), TypeError);
		assert.throws(() => emulator.updateNumber(n.id, { status: 'GREEN' }), TypeError);
		assert.throws(() => emulator.updateNumber(n.id, { limit: 'TIER_3K' }), TypeError);
	});

	test('POST /__emulator/numbers/<id> sets them and answers the number; errors answer 400; reset restores', async () => {
		const res = await control(`numbers/${n.id}`, {
			status: 'FLAGGED',
			nameStatus: 'DECLINED',
			qualityRating: 'YELLOW',
			limit: 'TIER_10K',
		});
		assert.equal(res.status, 200);
		assert.deepEqual(
			[res.body.status, res.body.nameStatus, res.body.qualityRating, res.body.limit],
			['FLAGGED', 'DECLINED', 'YELLOW', 'TIER_10K'],
		);
		assert.deepEqual(await shown(), {
			details: ['FLAGGED', 'DECLINED', 'YELLOW', 'TIER_10K'],
			list: ['FLAGGED', 'DECLINED', 'YELLOW', 'TIER_10K'],
		});
		assert.equal((await control(`numbers/${n.id}`, { status: 'NOPE' })).status, 400);
		assert.equal((await control('numbers/999', { status: 'FLAGGED' })).status, 400);
		emulator.reset();
		assert.deepEqual((await shown()).details, ['CONNECTED', 'APPROVED', 'GREEN', 'TIER_2K']);
	});

	test('raw values change what list and details say, not what verify and retry do', async () => {
		const p = NUMBERS.pending1;
		emulator.updateNumber(p.id, { status: 'CONNECTED', nameStatus: 'APPROVED' });
		const retried = await post(numberPath('retry_otp'), {
			id: p.id,
			phone_number: p.phoneNumber,
			type_verification: 'SMS',
		});
		assert.equal(retried.status, 200);
		const verified = await post(numberPath('verify'), {
			id: p.id,
			phone_number: p.phoneNumber,
			otp: otpAt(0),
		});
		assert.equal(verified.status, 200);
		// Verifying makes it a connected number's values again.
		assert.equal(emulator.numbers()[p.id].qualityRating, 'GREEN');
	});

	test("the page shows each number's current values and the dialect", async () => {
		emulator.updateNumber(n.id, {
			status: 'RESTRICTED',
			nameStatus: 'EXPIRED',
			qualityRating: 'RED',
			limit: 'TIER_100K',
		});
		emulator.setDialect({ detailsPath: 'both', accepted: 'WA202' });
		const html = await fetch(`${emulator.url}/__emulator/`).then((r) => r.text());
		assert.match(
			html,
			new RegExp(
				`<tr><td>\\${n.phoneNumber}</td>.*>RESTRICTED</td><td>EXPIRED</td><td>RED</td><td>TIER_100K</td>`,
			),
		);
		assert.match(html, /<th>name status<\/th><th>quality rating<\/th><th>messaging limit<\/th>/);
		assert.ok(html.includes('detailsPath=both'));
		assert.ok(html.includes('accepted=WA202'));
		assert.ok(html.includes('limits=portfolio'));
	});
});
