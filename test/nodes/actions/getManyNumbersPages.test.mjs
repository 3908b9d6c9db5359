// Get Many Numbers against lists Kaleyra may send and lists a hostile server sends: Return All and
// Limit, pages followed by cursor on the same path, and the node's own ceilings. A small server
// of this file answers each list; a second one stands for wherever a `next` link points. The
// emulator's own paging dialect (paging 'cursor') is read too, in each of its list shapes.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';

import { DIALECT_AXES } from '../../../emulator/kaleyra-emulator.mjs';
import { runKaleyraNode } from '../../helpers/engine.mjs';
import {
	DEFAULT_ACCOUNT,
	MAPPED_PARAMETERS,
	WABA_ID,
	credentialsFor,
	onlyItem,
	runOperation,
	useEmulator,
} from '../../helpers/kaleyra.mjs';

/** Add Number for one Indian number of the test WABA, as a form-fed workflow sends it. */
const addIndianNumber = (credentials, phoneNumber, options) =>
	runKaleyraNode({
		parameters: { ...MAPPED_PARAMETERS.addNumber, ...(options ? { options } : {}) },
		items: [
			{
				json: { wabaId: WABA_ID, phoneNumber, countryCode: '91', displayName: 'Acme Travel', channel: 'SMS' },
			},
		],
		credentials,
	});

const OTHER_WABA = '766000000000002';

/** A loopback server answering every request with `answer(url)`; records what reached it. */
async function listServer() {
	const server = {
		requests: [],
		answer: () => ({ status: 404, body: '' }),
	};
	const http = createServer((req, res) => {
		server.requests.push({ method: req.method, url: req.url, apiKey: req.headers['api-key'] });
		const { status, body } = server.answer(new URL(req.url, 'http://127.0.0.1'));
		res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
		res.end(body);
	});
	await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
	server.url = `http://127.0.0.1:${http.address().port}`;
	server.close = () => new Promise((resolve) => http.close(resolve));
	return server;
}

const entry = (index) => ({
	id: `40000000000${String(index).padStart(4, '0')}`,
	phone_number: `+9197650${String(index).padStart(5, '0')}`,
	status: 'CONNECTED',
});
const ok = (data) => ({
	status: 200,
	body: JSON.stringify({ code: 'WA200', message: 'Request Processed Successfully', data, error: {} }),
});

/**
 * Serves `count` numbers in pages of `size` as Meta's Graph API pages: `paging.cursors.after`,
 * and a `next` link that points at `nextHost` (a host the api-key must never go to).
 */
function paged(count, size, nextHost) {
	return (url) => {
		const start = url.searchParams.has('after') ? Number(url.searchParams.get('after').slice(1)) : 0;
		const data = Array.from({ length: Math.max(0, Math.min(size, count - start)) }, (_, i) => entry(start + i));
		const more = start + size < count;
		const paging = more
			? { cursors: { after: `c${start + size}` }, next: `${nextHost}/v2/x/number?after=c${start + size}` }
			: { cursors: {} };
		return ok({ data, paging });
	};
}

describe('Get Many Numbers: Return All, Limit and pages', () => {
	let kaleyra;
	let elsewhere;
	before(async () => {
		kaleyra = await listServer();
		elsewhere = await listServer();
	});
	beforeEach(() => {
		kaleyra.requests.length = 0;
		elsewhere.requests.length = 0;
	});
	after(async () => {
		await kaleyra.close();
		await elsewhere.close();
	});

	const getMany = (parameters = {}, items = [{ json: { wabaId: WABA_ID } }], options = {}) =>
		runKaleyraNode({
			parameters: { ...MAPPED_PARAMETERS.getManyNumbers, ...parameters, options: { retryDelay: 1, ...options } },
			items,
			credentials: credentialsFor({ url: kaleyra.url }),
		});

	it('declares Return All and Limit as n8n Get Many operations do', async () => {
		const { KaleyraWhatsAppNumber } = await import('../../../dist/nodes/KaleyraWhatsAppNumber/KaleyraWhatsAppNumber.node.js');
		const { properties } = new KaleyraWhatsAppNumber().description;
		const returnAll = properties.find(({ name }) => name === 'returnAll');
		const limit = properties.find(({ name }) => name === 'limit');
		assert.deepEqual(
			{ ...returnAll, displayOptions: undefined },
			{
				displayName: 'Return All',
				name: 'returnAll',
				type: 'boolean',
				default: false,
				description: 'Whether to return all results or only up to a given limit',
				displayOptions: undefined,
			},
		);
		assert.deepEqual(returnAll.displayOptions.show.operation, ['getManyNumbers']);
		assert.equal(limit.displayName, 'Limit');
		assert.equal(limit.type, 'number');
		assert.equal(limit.default, 50);
		assert.equal(limit.typeOptions.minValue, 1);
		assert.equal(limit.description, 'Max number of results to return');
		assert.deepEqual(limit.displayOptions.show.returnAll, [false]);
		assert.deepEqual(limit.displayOptions.show.operation, ['getManyNumbers']);
	});

	it('stops after Limit (50 by default), following pages by cursor on the same path, never the next link', async () => {
		kaleyra.answer = paged(120, 25, elsewhere.url);
		const result = await getMany();
		assert.equal(result.failed.length, 0);
		assert.equal(result.success.length, 50);
		assert.deepEqual(
			result.success.map(({ json }) => json.phoneNumberId),
			Array.from({ length: 50 }, (_, index) => entry(index).id),
		);
		assert.deepEqual(
			kaleyra.requests.map(({ url }) => url),
			[
				`/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA_ID}/number`,
				`/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA_ID}/number?after=c25`,
			],
		);
		assert.equal(elsewhere.requests.length, 0, 'a next link was followed');
		// The paging beside each page's list is kept on its items.
		assert.deepEqual(result.success[0].json.listInfo, {
			paging: { cursors: { after: 'c25' }, next: `${elsewhere.url}/v2/x/number?after=c25` },
		});
		assert.equal(result.success[49].json.listInfo.paging.cursors.after, 'c50');
		assert.ok(result.success.every(({ json }) => json.attempts === 2));
	});

	it('takes Limit from a single page without asking for more', async () => {
		kaleyra.answer = () => ok(Array.from({ length: 100 }, (_, index) => entry(index)));
		const result = await getMany({ limit: 30 });
		assert.equal(result.success.length, 30);
		assert.equal(kaleyra.requests.length, 1);
	});

	it('with Return All, follows every page to the end', async () => {
		kaleyra.answer = paged(120, 25, elsewhere.url);
		const result = await getMany({ returnAll: true });
		assert.equal(result.success.length, 120);
		assert.equal(kaleyra.requests.length, 5);
		assert.equal(new Set(result.success.map(({ json }) => json.phoneNumberId)).size, 120);
		assert.ok(result.success.every(({ json, pairedItem }) => json.attempts === 5 && pairedItem.item === 0));
		assert.equal(elsewhere.requests.length, 0);
	});

	it('with Return All, a list past 10,000 numbers sends that input item to Error, with no Success item', async () => {
		kaleyra.answer = (url) =>
			url.pathname.includes(OTHER_WABA)
				? ok([entry(1), entry(2)])
				: ok(Array.from({ length: 10_001 }, (_, index) => entry(index)));
		const result = await getMany({ returnAll: true }, [
			{ json: { wabaId: WABA_ID } },
			{ json: { wabaId: OTHER_WABA } },
		]);
		assert.equal(result.failed.length, 1);
		const { error, attempts } = result.failed[0].json;
		assert.deepEqual(result.failed[0].pairedItem, { item: 0 });
		assert.equal(error.code, 'INVALID_RESPONSE');
		assert.match(error.message, /more than 10000 numbers/);
		assert.equal(attempts, 1);
		assert.deepEqual(
			result.success.map(({ pairedItem }) => pairedItem.item),
			[1, 1],
			'the other input item is whole, the capped one has nothing on Success',
		);
	});

	it('a hostile 1 MiB list gives Limit items, or with Return All an Error, never half a million items', async () => {
		const body = `{"code":"WA200","message":"ok","data":[${'0,'.repeat(524_000)}0],"error":{}}`;
		kaleyra.answer = () => ({ status: 200, body });
		const limited = await getMany();
		assert.equal(limited.success.length, 50);
		const all = await getMany({ returnAll: true });
		assert.equal(all.success.length, 0);
		assert.equal(onlyItem(all, 'failed').json.error.code, 'INVALID_RESPONSE');
	});

	it('a list whose items would pass 8 MiB of output goes to Error: paging repeated on each item counts', async () => {
		// 2,000 small entries, and beside them 20 KB of "paging": 40 MB once on every item.
		kaleyra.answer = () =>
			ok({ data: Array.from({ length: 2_000 }, (_, index) => entry(index)), paging: { note: 'x'.repeat(20_000) } });
		const result = await getMany({ returnAll: true });
		assert.equal(result.success.length, 0);
		assert.match(onlyItem(result, 'failed').json.error.message, /more than 8 MiB of output/);
	});

	it("retries a later page that a gateway's 503 answered, as the read it is, and counts the try", async () => {
		const pages = paged(60, 25, elsewhere.url);
		let failedOnce = false;
		kaleyra.answer = (url) => {
			if (url.searchParams.get('after') === 'c25' && !failedOnce) {
				failedOnce = true;
				return { status: 503, body: 'upstream connect error' };
			}
			return pages(url);
		};
		const result = await getMany({ returnAll: true });
		assert.equal(result.failed.length, 0);
		assert.equal(result.success.length, 60);
		assert.equal(kaleyra.requests.length, 4);
		assert.ok(result.success.every(({ json }) => json.attempts === 4));
	});

	it('a cursor given twice is a loop: Error, not endless requests', async () => {
		kaleyra.answer = () => ok({ data: [entry(1)], paging: { cursors: { after: 'same' } } });
		const result = await getMany({ returnAll: true });
		assert.equal(onlyItem(result, 'failed').json.error.code, 'INVALID_RESPONSE');
		assert.equal(kaleyra.requests.length, 2);
	});

	it('a page that fails sends the whole input item to Error, with the items of the pages before it', async () => {
		const pages = paged(60, 25, elsewhere.url);
		kaleyra.answer = (url) => (url.searchParams.get('after') === 'c50' ? { status: 404, body: '' } : pages(url));
		const result = await getMany({ returnAll: true });
		assert.equal(result.success.length, 0);
		assert.equal(onlyItem(result, 'failed').json.attempts, 3);
	});

	it('Add Number finds a number that already exists on a later page of the list, by cursor', async () => {
		const list = paged(70, 25, elsewhere.url);
		const wanted = entry(61);
		kaleyra.answer = (url) =>
			url.pathname.endsWith('/number/add')
				? {
						status: 400,
						body: JSON.stringify({
							code: 'WA400',
							message: 'phone number already exists',
							data: [],
							error: { phone_number: 'phone number already exists' },
						}),
					}
				: list(url);
		const result = await addIndianNumber(credentialsFor({ url: kaleyra.url }), wanted.phone_number);
		const { json } = onlyItem(result, 'success');
		assert.equal(json.phoneNumberId, wanted.id);
		assert.equal(json.alreadyExisted, true);
		assert.equal(json.attempts, 4);
		assert.deepEqual(
			kaleyra.requests.map(({ method, url }) => `${method} ${url.split('/whatsapp/')[1]}`),
			[
				`POST ${WABA_ID}/number/add`,
				`GET ${WABA_ID}/number`,
				`GET ${WABA_ID}/number?after=c25`,
				`GET ${WABA_ID}/number?after=c50`,
			],
		);
		assert.equal(elsewhere.requests.length, 0);
		assert.ok(kaleyra.requests.every(({ apiKey }) => apiKey === DEFAULT_ACCOUNT.apiKey));
	});

	// One redaction point for the whole input item: a page, or a look-up's page, that writes the
	// API key with JSON escapes is redacted even when the page before it had no escape at all.
	const escapedKey = [...DEFAULT_ACCOUNT.apiKey].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
	const echoingPage = (entries) =>
		`{"code":"WA200","message":"ok","data":{"data":${JSON.stringify(entries).replace(/"ECHO"/g, `"${escapedKey}"`)},"paging":{"cursors":{}}},"error":{}}`;

	it('redacts a key echoed with JSON escapes on a later page of Return All', async () => {
		kaleyra.answer = (url) =>
			url.searchParams.has('after')
				? { status: 200, body: echoingPage([{ ...entry(2), name: 'ECHO' }]) }
				: ok({ data: [entry(1)], paging: { cursors: { after: 'c1' } } });
		const result = await getMany({ returnAll: true });
		assert.equal(result.success.length, 2);
		const text = JSON.stringify(result.run);
		assert.ok(!text.includes(DEFAULT_ACCOUNT.apiKey), 'the API key is in the output');
		assert.equal(result.success[1].json.data.name, '[redacted API key]');
	});

	it("redacts a key echoed with JSON escapes in the list page Add Number's look-up reads", async () => {
		const wanted = entry(3);
		kaleyra.answer = (url) =>
			url.pathname.endsWith('/number/add')
				? {
						status: 400,
						body: JSON.stringify({
							code: 'WA400',
							message: 'phone number already exists',
							data: [],
							error: { phone_number: 'phone number already exists' },
						}),
					}
				: { status: 200, body: echoingPage([{ ...wanted, name: 'ECHO' }]) };
		const result = await addIndianNumber(credentialsFor({ url: kaleyra.url }), wanted.phone_number);
		const { json } = onlyItem(result, 'success');
		assert.equal(json.alreadyExisted, true);
		assert.equal(json.data.name, '[redacted API key]');
		assert.ok(!JSON.stringify(result.run).includes(DEFAULT_ACCOUNT.apiKey), 'the API key is in the output');
	});

	it("retries Add Number's look-up as the read it is: a gateway's 503 on the list is tried again, the add is not", async () => {
		const wanted = entry(4);
		let listTries = 0;
		kaleyra.answer = (url) => {
			if (url.pathname.endsWith('/number/add'))
				return {
					status: 400,
					body: JSON.stringify({
						code: 'WA400',
						message: 'phone number already exists',
						data: [],
						error: { phone_number: 'phone number already exists' },
					}),
				};
			// A gateway's page in Kaleyra's place: it may have arrived, which a read may repeat.
			return ++listTries === 1 ? { status: 503, body: 'upstream connect error' } : ok([wanted]);
		};
		const result = await addIndianNumber(credentialsFor({ url: kaleyra.url }), wanted.phone_number, { retryDelay: 1 });
		const { json } = onlyItem(result, 'success');
		assert.equal(json.phoneNumberId, wanted.id);
		assert.equal(json.alreadyExisted, true);
		assert.equal(json.attempts, 3);
		assert.deepEqual(
			kaleyra.requests.map(({ method }) => method),
			['POST', 'GET', 'GET'],
		);
	});

	for (const limit of [0, 10_001, 2.5, '={{ "ten" }}']) {
		it(`refuses Limit ${JSON.stringify(limit)} before sending anything`, async () => {
			const result = await getMany({ limit });
			const { error } = onlyItem(result, 'failed').json;
			assert.equal(error.code, 'INVALID_INPUT');
			assert.deepEqual(error.fields, ['limit']);
			assert.equal(kaleyra.requests.length, 0);
		});
	}
});

describe('Answers nested too deep', () => {
	let server;
	before(async () => {
		server = await listServer();
	});
	after(() => server.close());

	const deep = (levels) => `{"code":"WA200","message":"ok","data":${'['.repeat(levels)}1${']'.repeat(levels)},"error":{}}`;

	for (const operation of ['getManyNumbers', 'verifyNumber', 'getNumberDetails']) {
		it(`${operation}: 4,000 levels go to Error as INVALID_RESPONSE, and the run survives JSON.stringify`, async () => {
			server.answer = () => ({ status: 200, body: deep(4_000) });
			const item = {
				json: { wabaId: WABA_ID, phoneNumberId: '100000000000001', phoneNumber: '+919765400001', otp: '123456' },
			};
			const result = await runOperation({ url: server.url }, operation, [item], { options: { maxTries: 1 } });
			const { error } = onlyItem(result, 'failed').json;
			assert.equal(error.code, 'INVALID_RESPONSE');
			assert.match(error.message, /nests deeper than 64 levels/);
			assert.ok(JSON.stringify(result.run).length > 0);
		});
	}

	it('an answer 60 levels deep is read as usual', async () => {
		server.answer = () => ({ status: 200, body: deep(60) });
		const result = await runOperation({ url: server.url }, 'getNumberDetails', [{ json: { phoneNumber: '+919765400001' } }]);
		assert.equal(onlyItem(result, 'success').json.code, 'WA200');
	});
});

describe('Get Many Numbers: an empty list', () => {
	const emulator = useEmulator({ account: { wabaIds: [WABA_ID, OTHER_WABA] } });

	it('outputs no item for a WABA without numbers, as n8n Get Many operations do', async () => {
		const result = await runOperation(emulator(), 'getManyNumbers', [
			{ json: { wabaId: OTHER_WABA } },
			{ json: { wabaId: WABA_ID } },
		]);
		assert.equal(result.failed.length, 0);
		assert.ok(result.success.length > 0);
		assert.ok(result.success.every(({ pairedItem }) => pairedItem.item === 1));
	});

	it("with n8n's Always Output Data, an empty result still gives one (empty) item to go on with", async () => {
		const result = await runOperation(emulator(), 'getManyNumbers', [{ json: { wabaId: OTHER_WABA } }], {
			nodeSettings: { alwaysOutputData: true },
		});
		assert.deepEqual(
			result.success.map(({ json }) => json),
			[{}],
		);
		assert.equal(result.failed.length, 0);
	});
});

describe("The emulator's own paging dialect: Return All, Limit and Add Number's look-up", () => {
	const emulator = useEmulator();
	const PAGE_SIZE = 2;
	const listPath = `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA_ID}/number`;
	/** The WABA's numbers, in the emulator's list order. */
	const inWaba = () =>
		Object.entries(emulator().numbers())
			.filter(([, number]) => number.wabaId === WABA_ID)
			.map(([id, number]) => ({ id, phoneNumber: number.phoneNumber }));
	const getMany = (parameters) =>
		runKaleyraNode({
			parameters: { ...MAPPED_PARAMETERS.getManyNumbers, ...parameters },
			items: [{ json: { wabaId: WABA_ID } }],
			credentials: credentialsFor(emulator()),
		});

	for (const listShape of DIALECT_AXES.listShape) {
		it(`${listShape}: Return All reads every page by the cursor of the page before; Limit stops early`, async () => {
			emulator().setDialect({ paging: 'cursor', pageSize: PAGE_SIZE, listShape });
			const all = inWaba();
			assert.ok(all.length > 2 * PAGE_SIZE, 'the fixtures fill three pages or more');
			const result = await getMany({ returnAll: true });
			assert.equal(result.failed.length, 0);
			assert.deepEqual(
				result.success.map(({ json }) => json.phoneNumberId),
				all.map(({ id }) => id),
			);
			const pages = Math.ceil(all.length / PAGE_SIZE);
			const paths = emulator().requests.map(({ path }) => path);
			assert.equal(paths.length, pages);
			assert.equal(paths[0], listPath);
			// Page k + 1 is the same path with the cursor that page k's items carry in listInfo.
			for (let page = 1; page < pages; page++) {
				const before = result.success[page * PAGE_SIZE - 1].json.listInfo.paging.cursors.after;
				assert.equal(paths[page], `${listPath}?after=${encodeURIComponent(before)}`);
			}
			assert.ok(result.success.every(({ json }) => json.attempts === pages));

			emulator().requests.length = 0;
			const limited = await getMany({ returnAll: false, limit: PAGE_SIZE + 1 });
			assert.deepEqual(
				limited.success.map(({ json }) => json.phoneNumberId),
				all.slice(0, PAGE_SIZE + 1).map(({ id }) => id),
			);
			assert.equal(emulator().requests.length, 2, 'a page asked for past Limit');
		});
	}

	it('Add Number finds a number already there on the last page, by reads that follow the cursors', async () => {
		emulator().setDialect({ paging: 'cursor', pageSize: PAGE_SIZE, listShape: 'numbers' });
		const all = inWaba();
		const last = all.at(-1);
		const result = await addIndianNumber(credentialsFor(emulator()), last.phoneNumber);
		const { json } = onlyItem(result, 'success');
		assert.equal(json.phoneNumberId, last.id);
		assert.equal(json.alreadyExisted, true);
		const pages = Math.ceil(all.length / PAGE_SIZE);
		assert.equal(json.attempts, 1 + pages);
		const requests = emulator().requests.map(({ method, path }) => `${method} ${path.split('?')[0]}`);
		assert.deepEqual(requests, [`POST ${listPath}/add`, ...Array(pages).fill(`GET ${listPath}`)]);
		assert.equal(emulator().otps().length, 0, 'no code was sent this time');
	});
});
