// Answers a real deployment can meet and Kaleyra's pages do not show: redirects, echoes, slow,
// endless, huge and broken bodies. Each is served by the emulator's fault injection, or, for a
// Location the emulator does not write, by a scripted answering server.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import { startAnsweringServer } from '../../helpers/answeringServer.mjs';
import {
	DEFAULT_ACCOUNT,
	NUMBERS,
	credentialsFor,
	itemFor,
	onlyItem,
	runOperation,
	useEmulator,
} from '../../helpers/kaleyra.mjs';

const OPERATIONS = ['verifyNumber', 'retryOtp'];

/** Everything n8n recorded for the run, as one text to search for secrets. */
const runText = (result) => JSON.stringify(result.run);

describe('Redirects are never followed', () => {
	const emulator = useEmulator();

	for (const status of [301, 302, 303, 307, 308]) {
		for (const operation of OPERATIONS) {
			it(`${operation}: a ${status} goes to Error as REDIRECT and nothing reaches its target`, async () => {
				emulator().setFaults({ queue: [`redirect${status}`] });
				const result = await runOperation(emulator(), operation, [itemFor(NUMBERS.pending1)], {
					options: { maxTries: 3, retryUncertain: true },
				});
				const { error, attempts } = onlyItem(result, 'failed').json;
				assert.equal(error.code, 'REDIRECT');
				assert.equal(error.httpStatus, status);
				assert.equal(error.retryable, false);
				assert.equal(attempts, 1);
				const catcherHost = new URL(emulator().catcher.url).host;
				assert.ok(error.message.includes(`HTTP ${status}`), error.message);
				assert.ok(error.message.includes('a redirect to another host'), error.message);
				assert.ok(!error.message.includes(catcherHost), 'the message quotes the Location');
				assert.doesNotMatch(error.message, /stolen|token|should-not-appear/);
				assert.match(error.hint, /region or the custom base URL/);
				assert.deepEqual(error.fields, ['credentials.region', 'credentials.baseUrl']);
				assert.equal(emulator().catcher.requests.length, 0, 'the redirect target got a request');
				assert.equal(emulator().requests.length, 1);
			});
		}
	}
});

describe('Server text never carries a secret into an output', () => {
	const emulator = useEmulator();

	for (const fault of ['echoError', 'echoSuccess']) {
		for (const operation of OPERATIONS) {
			it(`${operation}: an answer that echoes the request (${fault}) is redacted`, async () => {
				emulator().setFaults({ queue: [fault] });
				const number = NUMBERS.pending1;
				const result = await runOperation(emulator(), operation, [itemFor(number)]);
				const branch = fault === 'echoSuccess' ? 'success' : 'failed';
				const { json } = onlyItem(result, branch);
				const text = runText(result);
				assert.ok(emulator().requests[0].rawBody.includes(number.phoneNumber), 'the echo had the request');
				assert.ok(!text.includes(DEFAULT_ACCOUNT.apiKey), 'the API key is in the run data');
				assert.match(JSON.stringify(json), /\[redacted API key\]/);
				if (operation === 'verifyNumber') {
					assert.ok(!new RegExp(`(?<!\\d)${number.otp}(?!\\d)`).test(text), 'the OTP is in the run data');
				}
				// IDs and numbers around the secrets survive whole.
				const copied = branch === 'success' ? JSON.stringify(json.data) : json.error.message;
				assert.ok(copied.includes(number.id), copied);
				assert.equal(json.phoneNumberId, number.id);
			});
		}
	}
});

describe('A definite Kaleyra answer is never re-sent', () => {
	const emulator = useEmulator();

	it('a WA500 whose code stands past the first 200 characters is final, even with uncertain retries on', async () => {
		emulator().setFaults({ queue: ['wa500Late'] });
		const result = await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.pending1)], {
			options: { maxTries: 3, retryUncertain: true, retryDelay: 1 },
		});
		const { error, attempts } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'WA500');
		assert.equal(attempts, 1);
		assert.equal(emulator().requests.length, 1);
	});
});

describe('Labels tell what happened', () => {
	const emulator = useEmulator();

	async function verifyWith(fault, options = {}) {
		emulator().setFaults({ queue: [fault] });
		return await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			options: { maxTries: 1, ...options },
		});
	}

	for (const [fault, code, message] of [
		['reset', 'CONNECTION_LOST', /broke after the request was sent .*may have reached Kaleyra/],
		['midBodyReset', 'CONNECTION_LOST', /stopped mid-way .*may have reached Kaleyra/],
		['gzipCorrupt', 'INVALID_RESPONSE', /could not be decompressed .*may have reached Kaleyra/],
		['oversized', 'INVALID_RESPONSE', /larger than 1 MiB.*may have reached Kaleyra/],
		['gzipBomb', 'INVALID_RESPONSE', /larger than 1 MiB.*may have reached Kaleyra/],
		['endless', 'INVALID_RESPONSE', /larger than 1 MiB.*may have reached Kaleyra/],
	]) {
		it(`${fault}: ${code}, saying the request may have reached Kaleyra, not retryable`, async () => {
			const { error } = onlyItem(await verifyWith(fault), 'failed').json;
			assert.equal(error.code, code);
			assert.match(error.message, message);
			assert.doesNotMatch(error.message, /Could not/);
			assert.equal(error.retryable, false);
			assert.match(error.hint, /may have reached Kaleyra/);
		});
	}

	it('a refused connection says the request was not sent, and is retryable', async () => {
		const closed = net.createServer();
		await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const { port } = closed.address();
		await new Promise((resolve) => closed.close(resolve));
		const credentials = credentialsFor(emulator(), { baseUrl: `http://127.0.0.1:${port}` });
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			credentials,
			options: { maxTries: 1 },
		});
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'NETWORK_ERROR');
		assert.match(error.message, new RegExp(`Could not connect to 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): the request was not sent`));
		assert.equal(error.retryable, true);
	});

	it('an uncertain failure is not retried by default, and is retried when the user accepts the risk', async () => {
		emulator().setFaults({ queue: ['midBodyReset'] });
		const once = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending2)], {
			options: { maxTries: 3, retryDelay: 1 },
		});
		assert.equal(onlyItem(once, 'failed').json.attempts, 1);
		emulator().reset();
		emulator().setFaults({ queue: ['midBodyReset'] });
		const twice = await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.pending2)], {
			options: { maxTries: 3, retryDelay: 1, retryUncertain: true },
		});
		assert.equal(onlyItem(twice, 'success').json.attempts, 2);
	});
});

describe('Timeout covers the whole answer', () => {
	const emulator = useEmulator();

	// The emulator holds the connection for a minute without a byte; the test's own timeout is
	// the failure when the node waits for it.
	it('a server that never sends its headers ends as TIMEOUT', { timeout: 30_000 }, async () => {
		emulator().setFaults({ queue: ['hang'], hangMs: 60_000 });
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			options: { timeout: 500, maxTries: 1 },
		});
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'TIMEOUT');
		assert.equal(error.retryable, false);
	});

	// Without a bound on the body, a trickle of one byte every 2 s takes minutes; the test's own
	// timeout is the failure then.
	it('a body trickled a byte at a time ends as TIMEOUT', { timeout: 30_000 }, async () => {
		emulator().setFaults({ queue: ['trickle'], trickleMs: 2_000 });
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			options: { timeout: 1_000, maxTries: 1 },
		});
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'TIMEOUT');
		assert.match(error.message, /within the Timeout of 1000 ms: the request may have reached Kaleyra/);
		assert.equal(error.retryable, false);
	});
});

describe("A redirect's Location is never quoted", () => {
	let server;
	before(async () => {
		server = await startAnsweringServer({ status: 200, body: '{}' });
	});
	after(() => server.close());

	const key = DEFAULT_ACCOUNT.apiKey;
	const percentEncoded = [...key].map((char) => `%${char.charCodeAt(0).toString(16)}`).join('');
	const locations = {
		'the key percent-encoded in the host': `http://${percentEncoded}.evil.example/`,
		'the key lowercased in the host': `http://${key.toLowerCase()}.evil.example/`,
		'the key as the scheme': `${key.toLowerCase()}://evil.example/`,
	};
	for (const [name, location] of Object.entries(locations)) {
		it(`${name}: the item never holds the key, in any case`, async () => {
			server.answer({ status: 302, body: '', headers: { location } });
			const result = await runOperation(null, 'verifyNumber', [itemFor(NUMBERS.pending1)], {
				credentials: server.credentials(),
			});
			const { error } = onlyItem(result, 'failed').json;
			assert.equal(error.code, 'REDIRECT');
			assert.match(error.message, /another host/);
			assert.ok(!JSON.stringify(result.failed).toLowerCase().includes(key.toLowerCase()), error.message);
		});
	}

	it('a redirect to the same host over http says so', async () => {
		server.answer({ status: 301, body: '', headers: { location: `${server.url}/elsewhere` } });
		const result = await runOperation(null, 'verifyNumber', [itemFor(NUMBERS.pending1)], {
			credentials: server.credentials(),
		});
		assert.match(onlyItem(result, 'failed').json.error.message, /a redirect to the same host\./);
	});
});
