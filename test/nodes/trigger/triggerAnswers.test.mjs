// The Number Trigger judges Kaleyra's answers by the action node's rules: 202 WA202 is an answer
// like 200 WA200, an answer nested past the depth ceiling fails the poll, a gateway's 503 on a
// read is tried again, and an answer that echoes the API key, even JSON-escaped, is refused
// before anything of it is stored. Each answer is served byte for byte by a scripted server.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';

import {
	DEFAULT_ACCOUNT,
	NUMBERS,
	WABA_ID,
	credentialsFor,
	useEmulator,
} from '../../helpers/kaleyra.mjs';
import { createPoller } from '../../helpers/poll.mjs';

const NUMBER = NUMBERS.approved;
const envelope = (code, data) => JSON.stringify({ code, message: 'Request Accepted.', data });
const LIST = (code = 'WA200') =>
	envelope(code, [{ id: NUMBER.id, phone_number: NUMBER.phoneNumber, status: 'CONNECTED' }]);
const DETAILS = (code = 'WA200', extra = '') =>
	`{"code":"${code}","message":"Request Accepted.","data":{"status":"CONNECTED","name_status":"APPROVED"${extra}}}`;
const escapeAll = (text) =>
	[...text].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/** Answers the list path and the details path each with its own scripted answer. */
async function startKaleyraScript() {
	const script = { list: { status: 200, body: LIST() }, details: { status: 200, body: DETAILS() } };
	const server = createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			const { status, body } = req.url.includes('phone_number_details')
				? script.details
				: script.list;
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(body);
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		script,
		credentials: credentialsFor({ url: `http://127.0.0.1:${server.address().port}` }),
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

describe("Number Trigger: Kaleyra's answers, by the action node's rules", () => {
	let kaleyra;
	before(async () => {
		kaleyra = await startKaleyraScript();
	});
	after(() => kaleyra.close());

	const pollerFor = (options = { maxTries: 1 }) =>
		createPoller({
			parameters: { wabaId: WABA_ID, options },
			credentials: kaleyra.credentials,
		});

	it('takes 202 WA202 "Request Accepted." as an answer, for the list and the details', async () => {
		kaleyra.script.list = { status: 202, body: LIST('WA202') };
		kaleyra.script.details = { status: 202, body: DETAILS('WA202') };
		const poller = pollerFor();
		assert.equal(await poller.poll(), null);
		assert.deepEqual(
			poller.staticData().baseline.numbers.map(({ id }) => id),
			[NUMBER.id],
		);
	});

	it('fails the poll on an answer nested deeper than the ceiling, storing nothing', async () => {
		kaleyra.script.list = { status: 200, body: LIST() };
		kaleyra.script.details = {
			status: 200,
			body: DETAILS('WA200', `,"x":${'['.repeat(4000)}${']'.repeat(4000)}`),
		};
		const poller = pollerFor();
		await assert.rejects(poller.poll(), (error) => {
			assert.match(error.message, /nests deeper than 64 levels.*INVALID_RESPONSE/);
			return true;
		});
		assert.deepEqual(poller.staticData(), {});
	});

	it('refuses an answer that echoes the API key JSON-escaped: nothing of it is stored', async () => {
		kaleyra.script.list = { status: 200, body: LIST() };
		kaleyra.script.details = {
			status: 200,
			body: DETAILS('WA200', `,"echo":"api-key: ${escapeAll(DEFAULT_ACCOUNT.apiKey)}"`),
		};
		const poller = pollerFor();
		await assert.rejects(poller.poll(), /carried the API key back/);
		assert.deepEqual(poller.staticData(), {});
	});
});

describe("Number Trigger: a gateway's answer to a read", () => {
	const getEmulator = useEmulator({ dialect: { detailsPath: 'both' } });

	it("tries a details read again after a gateway's 503 (a read changes nothing), and the poll succeeds", async () => {
		const emulator = getEmulator();
		const poller = createPoller({
			parameters: { wabaId: WABA_ID, options: { maxTries: 2 } },
			credentials: credentialsFor(emulator),
		});
		emulator.setFaults({ queue: ['ok', 'forwarded503'] });
		assert.equal(await poller.poll(), null);
		const count = Object.keys(NUMBERS).length;
		assert.equal(emulator.requests.length, 1 + count + 1);
	});
});
