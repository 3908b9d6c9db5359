import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startConnectRecorder } from '../helpers/connectRecorder.mjs';
import { testCredential } from '../helpers/credentialTest.mjs';
import { PACKAGE_DIR, credentialType } from '../helpers/engine.mjs';
import {
	DEFAULT_ACCOUNT,
	NUMBERS,
	credentialsFor,
	itemFor,
	runOperation,
	useEmulator,
} from '../helpers/kaleyra.mjs';

const require = createRequire(import.meta.url);
const { InvalidCredentialError, KALEYRA_REGION_BASE_URLS, accountUrlOf } = require(
	path.join(PACKAGE_DIR, 'dist/credentials/kaleyraAccountUrl.js'),
);
const credentialModule = require(
	path.join(PACKAGE_DIR, 'dist/credentials/KaleyraWhatsAppApi.credentials.js'),
);

const SID = DEFAULT_ACCOUNT.sid;
const OK = { status: 'OK', message: 'Connection successful!' };
const NOT_KALEYRA = /did not answer like Kaleyra/;
const NOT_PROOF = /answered with a code, but not with Kaleyra's WA401 for WABA 0/;
const REDIRECT = (status) =>
	new RegExp(`answered with a redirect \\(HTTP ${status}\\)\\. Redirects are never followed`);

function assertNoSecret(...messages) {
	for (const message of messages) {
		assert.ok(
			!String(message).includes(DEFAULT_ACCOUNT.apiKey),
			`the API key appears in: ${message}`,
		);
	}
}

/** Every string inside `value`, however deep. */
function stringsIn(value) {
	if (typeof value === 'string') return [value];
	if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
	return [];
}

/** A throwaway loopback server: `handler(req, res)` answers, `requests` logs what arrived. */
async function startServer(handler) {
	const requests = [];
	const server = http.createServer((req, res) => {
		requests.push({ method: req.method, path: req.url, headers: req.headers });
		req.resume();
		handler(req, res);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(resolve);
			}),
	};
}

const json = (status, body) => (_req, res) =>
	res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

/** A proxy at `/<prefix>/…` that strips the prefix and forwards to `target`, as a gateway would. */
async function startPrefixProxy(prefix, target) {
	const seen = [];
	const server = http.createServer((req, res) => {
		seen.push(req.url);
		if (!req.url.startsWith(`${prefix}/`)) return res.writeHead(404).end('no such prefix');
		const upstream = http.request(
			`${target}${req.url.slice(prefix.length)}`,
			{ method: req.method, headers: req.headers },
			(answer) => {
				res.writeHead(answer.statusCode, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		seen,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(resolve);
			}),
	};
}

describe('Kaleyra WhatsApp API credential', () => {
	const emulator = useEmulator();

	it('passes its test with a good SID and key, asking for no WABA ID', async () => {
		const result = await testCredential(credentialsFor(emulator()));
		assert.deepEqual(result, OK);
		assert.equal(emulator().requests.length, 1);
		const [request] = emulator().requests;
		assert.equal(request.method, 'GET');
		assert.equal(request.path, `/v2/${SID}/whatsapp/0/number`);
		assert.equal(request.headers['api-key'], DEFAULT_ACCOUNT.apiKey);
		assert.equal(request.code, 'WA401');
	});

	for (const [what, overrides] of [
		['key', { apiKey: 'A0000000000000000000000000000000' }],
		['SID', { sid: 'HXAP16999999997IN' }],
	]) {
		it(`fails its test with a bad ${what}, naming SID, key and region`, async () => {
			const result = await testCredential(credentialsFor(emulator(), overrides));
			assert.equal(result.status, 'Error');
			assert.match(result.message, /RBC001/);
			assert.match(result.message, /SID/);
			assert.match(result.message, /API key/);
			assert.match(result.message, /region/);
			assert.match(result.message, /whitelisted IPs/);
			assertNoSecret(result.message);
		});
	}

	it('fails its test when the base URL answers but is not Kaleyra', async () => {
		const notKaleyra = await startConnectRecorder();
		try {
			const result = await testCredential(credentialsFor(emulator(), { baseUrl: notKaleyra.url }));
			assert.equal(result.status, 'Error');
			assert.match(result.message, NOT_KALEYRA);
		} finally {
			await notKaleyra.close();
		}
	});

	// Servers that answer, with the right key, but without Kaleyra's proof.
	for (const [what, handler, expected] of [
		[
			'an unknown route of a JSON API (404 E404)',
			json(404, { code: 'E404', message: 'Not Found' }),
			NOT_PROOF,
		],
		['a JSON API answering 200 {"code":"OK"}', json(200, { code: 'OK' }), NOT_PROOF],
		[
			'Kaleyra-like JSON naming another error',
			json(400, { code: 'WA400', error: { payload: 'x' } }),
			NOT_PROOF,
		],
		[
			'an HTML page',
			(_req, res) =>
				res
					.writeHead(200, { 'Content-Type': 'text/html' })
					.end('<html><body>Welcome</body></html>'),
			NOT_KALEYRA,
		],
		['an empty body', (_req, res) => res.writeHead(200).end(), NOT_KALEYRA],
		['JSON without a code', json(401, { message: 'Unauthorized' }), NOT_KALEYRA],
		['JSON null', json(200, null), NOT_KALEYRA],
	]) {
		it(`fails its test on ${what}`, async () => {
			const server = await startServer(handler);
			try {
				const result = await testCredential(credentialsFor(emulator(), { baseUrl: server.url }));
				assert.equal(result.status, 'Error');
				assert.match(result.message, expected);
				assert.match(result.message, /region|base URL/);
				assertNoSecret(result.message);
				assert.equal(server.requests.length, 1);
				assert.equal(server.requests[0].path, `/v2/${SID}/whatsapp/0/number`);
			} finally {
				await server.close();
			}
		});
	}

	it("fails its test on the emulator's unknown-route WA404 (a path prefix Kaleyra does not have)", async () => {
		const result = await testCredential(
			credentialsFor(emulator(), { baseUrl: `${emulator().url}/extra` }),
		);
		assert.equal(result.status, 'Error');
		assert.match(result.message, NOT_PROOF);
		assert.equal(emulator().requests[0].path, `/extra/v2/${SID}/whatsapp/0/number`);
	});

	for (const status of [301, 302, 303, 307, 308]) {
		it(`fails its test on a ${status} redirect, naming it, and never follows it`, async () => {
			const target = await startServer(json(401, { code: 'WA401', error: { waba_id: 'x' } }));
			const redirector = await startServer((req, res) =>
				res.writeHead(status, { Location: `${target.url}${req.url}` }).end(),
			);
			try {
				const result = await testCredential(
					credentialsFor(emulator(), { baseUrl: redirector.url }),
				);
				assert.equal(result.status, 'Error');
				assert.match(result.message, REDIRECT(status));
				assert.match(result.message, /region|custom base URL/);
				assert.equal(redirector.requests.length, 1);
				assert.equal(target.requests.length, 0, 'the redirect was followed');
				assertNoSecret(result.message);
			} finally {
				await redirector.close();
				await target.close();
			}
		});
	}

	for (const [status, words] of [
		[429, /HTTP 429 \(too many requests\)/],
		[503, /HTTP 503 \(server error\)/],
	]) {
		it(`fails its test on HTTP ${status} saying it proves nothing yet`, async () => {
			const server = await startServer(json(status, { message: 'busy' }));
			try {
				const result = await testCredential(credentialsFor(emulator(), { baseUrl: server.url }));
				assert.equal(result.status, 'Error');
				assert.match(result.message, words);
				assert.match(result.message, /says nothing about the SID or API key/);
			} finally {
				await server.close();
			}
		});
	}

	// n8n's tester answers a network failure with the error's code alone; a declarative test
	// cannot word it.
	it('reports an unreachable base URL as n8n does: the bare ECONNREFUSED', async () => {
		const closed = await startServer(() => {});
		await closed.close();
		const result = await testCredential(credentialsFor(emulator(), { baseUrl: closed.url }));
		assert.deepEqual(result, { status: 'Error', message: 'ECONNREFUSED' });
	});

	describe('base URLs accepted by the node and the test alike', () => {
		for (const [what, baseUrl] of [
			['padded with spaces and a trailing slash', (url) => `  ${url}/  `],
			['with trailing slashes', (url) => `${url}//`],
			['with an upper-case scheme', (url) => url.replace('http://', 'HTTP://')],
		]) {
			it(`works ${what}`, async () => {
				const credentials = credentialsFor(emulator(), { baseUrl: baseUrl(emulator().url) });
				assert.deepEqual(await testCredential(credentials), OK);
				const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
					credentials,
				});
				assert.equal(result.error, undefined, result.error?.message);
				assert.equal(result.success.length, 1);
				assert.deepEqual(
					emulator().requests.map((request) => request.path),
					[`/v2/${SID}/whatsapp/0/number`, `/v2/${SID}/whatsapp/766000000000001/number/verify`],
				);
			});
		}

		it("works with a proxy's path prefix", async () => {
			const proxy = await startPrefixProxy('/kaleyra', emulator().url);
			try {
				const credentials = credentialsFor(emulator(), { baseUrl: `${proxy.url}/kaleyra/` });
				assert.deepEqual(await testCredential(credentials), OK);
				const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
					credentials,
				});
				assert.equal(result.error, undefined, result.error?.message);
				assert.equal(result.success.length, 1);
				assert.deepEqual(proxy.seen, [
					`/kaleyra/v2/${SID}/whatsapp/0/number`,
					`/kaleyra/v2/${SID}/whatsapp/766000000000001/number/verify`,
				]);
				assert.deepEqual(
					emulator().requests.map((request) => request.headers['api-key']),
					[DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiKey],
				);
			} finally {
				await proxy.close();
			}
		});

		it('trims a padded SID', async () => {
			const credentials = credentialsFor(emulator(), { sid: ` ${SID} ` });
			assert.deepEqual(await testCredential(credentials), OK);
			const result = await runOperation(emulator(), 'retryOtp', [itemFor(NUMBERS.pending1)], {
				credentials,
			});
			assert.equal(result.success.length, 1);
			assert.ok(emulator().requests.every((request) => request.path.startsWith(`/v2/${SID}/`)));
		});
	});

	// Refused before any request, by the node's run and by the test, with a message naming the
	// problem and holding neither the API key nor the base URL's password.
	describe('credentials refused before any request', () => {
		const cases = [
			['a query', { baseUrl: (url) => `${url}?x=1` }, /custom base URL contains a query \(\?\)/],
			[
				'an empty query',
				{ baseUrl: (url) => `${url}/?` },
				/custom base URL contains a query \(\?\)/,
			],
			['a fragment', { baseUrl: (url) => `${url}#f` }, /custom base URL contains a fragment \(#\)/],
			[
				'user info',
				{ baseUrl: (url) => url.replace('//', '//user:pw@') },
				/custom base URL contains user info/,
			],
			[
				'an empty user',
				{ baseUrl: (url) => url.replace('//', '//@') },
				/custom base URL contains user info/,
			],
			[
				'an ftp:// scheme',
				{ baseUrl: (url) => url.replace('http:', 'ftp:') },
				/must start with http:\/\/ or https:\/\/, not "ftp:"/,
			],
			['no scheme', { baseUrl: () => 'localhost:8080' }, /must start with http:\/\/ or https:\/\//],
			['an empty base URL', { baseUrl: () => '' }, /custom base URL is empty/],
			['a blank base URL', { baseUrl: () => '   ' }, /custom base URL is empty/],
			[
				'a base URL that is not a URL',
				{ baseUrl: () => 'not a url' },
				/custom base URL is not a URL/,
			],
			[
				'the SID ".."',
				{ sid: '..' },
				/The SID "\.\." contains "\.": Kaleyra SIDs are letters and digits only/,
			],
			['the SID "."', { sid: '.' }, /The SID "\." contains "\."/],
			['the SID "a/b"', { sid: 'a/b' }, /The SID "a\/b" contains "\/"/],
			['the SID "%2e%2e"', { sid: '%2e%2e' }, /The SID "%2e%2e" contains "%"/],
			['an empty SID', { sid: '  ' }, /The SID is empty/],
			['a SID of 65 characters', { sid: 'A'.repeat(65) }, /The SID is 65 characters long/],
			[
				'an unknown region',
				{ region: 'mars' },
				/region "mars" is not one of in, sg, eu, na or custom/,
			],
		];
		for (const [what, overrides, expected] of cases) {
			it(`refuses ${what}`, async () => {
				const { baseUrl, ...rest } = overrides;
				const credentials = credentialsFor(emulator(), {
					...rest,
					...(baseUrl ? { baseUrl: baseUrl(emulator().url) } : {}),
				});

				const tested = await testCredential(credentials);
				assert.equal(tested.status, 'Error');
				assert.match(tested.message, expected);

				const run = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], {
					credentials,
				});
				// Today's node throws; a node that puts every item on Error instead must say the same.
				const said = run.error?.message ?? stringsIn(run.failed).join('\n');
				assert.match(said, expected);
				assert.equal(run.success.length, 0);

				assert.equal(emulator().requests.length, 0, 'a request was sent');
				assertNoSecret(tested.message, said);
				assert.ok(
					!tested.message.includes('pw@') && !said.includes('pw@'),
					'the password was shown',
				);
			});
		}
	});
});

describe('accountUrlOf', () => {
	const sid = SID;
	it('builds each region’s account URL', () => {
		for (const [region, base] of Object.entries(KALEYRA_REGION_BASE_URLS)) {
			assert.equal(accountUrlOf({ region, sid, baseUrl: 'ignored?x' }), `${base}/v2/${sid}`);
		}
		assert.equal(
			accountUrlOf({ sid }),
			`https://api.in.kaleyra.io/v2/${sid}`,
			'region defaults to in',
		);
		assert.equal(credentialModule.KALEYRA_REGION_BASE_URLS, KALEYRA_REGION_BASE_URLS);
	});

	for (const [baseUrl, expected] of [
		['  https://proxy.example.com/kaleyra/  ', `https://proxy.example.com/kaleyra/v2/${sid}`],
		['HTTPS://Proxy.Example.com:443/', `https://proxy.example.com/v2/${sid}`],
		['http://127.0.0.1:1234', `http://127.0.0.1:1234/v2/${sid}`],
		['http://[::1]:8080/a/b///', `http://[::1]:8080/a/b/v2/${sid}`],
	]) {
		it(`takes ${JSON.stringify(baseUrl)}`, () => {
			assert.equal(accountUrlOf({ region: 'custom', baseUrl, sid }), expected);
		});
	}

	it('throws an InvalidCredentialError naming the field, with a hint', () => {
		for (const [credentials, field] of [
			[{ region: 'xx', sid }, 'credentials.region'],
			[{ region: 'custom', baseUrl: 'https://h/?', sid }, 'credentials.baseUrl'],
			[{ region: 'in', sid: 'a.b' }, 'credentials.sid'],
		]) {
			assert.throws(
				() => accountUrlOf(credentials),
				(error) =>
					error instanceof InvalidCredentialError &&
					error instanceof Error &&
					error.name === 'InvalidCredentialError' &&
					error.field === field &&
					typeof error.hint === 'string' &&
					error.hint.length > 20 &&
					!('code' in error),
			);
		}
	});

	it('does not echo a long SID', () => {
		const long = `${DEFAULT_ACCOUNT.apiKey}/`;
		assert.throws(
			() => accountUrlOf({ region: 'in', sid: long }),
			(error) =>
				!error.message.includes(DEFAULT_ACCOUNT.apiKey) && /contains "\/"/.test(error.message),
		);
	});
});

describe('authenticate', () => {
	const credentials = credentialsFor({ url: 'http://127.0.0.1:9' });

	it('sets the api-key header and, for a relative URL only, the account URL as base', async () => {
		const relative = { url: '/whatsapp/0/number', headers: { Accept: 'x' } };
		const sent = await credentialType.authenticate(credentials, relative);
		assert.equal(sent.baseURL, `http://127.0.0.1:9/v2/${SID}`);
		assert.deepEqual(sent.headers, { Accept: 'x', 'api-key': DEFAULT_ACCOUNT.apiKey });
		assert.deepEqual(
			relative,
			{ url: '/whatsapp/0/number', headers: { Accept: 'x' } },
			'the input was changed',
		);

		for (const url of [
			'https://api.in.kaleyra.io/v2/X/whatsapp/1/number/verify',
			'//elsewhere.example/x',
		]) {
			const absolute = await credentialType.authenticate(credentials, { url });
			assert.equal(absolute.baseURL, undefined);
			assert.equal(absolute.headers['api-key'], DEFAULT_ACCOUNT.apiKey);
		}
	});

	it("throws the credential's InvalidCredentialError for a relative URL", async () => {
		await assert.rejects(
			credentialType.authenticate({ ...credentials, sid: '..' }, { url: '/x' }),
			(error) => error.field === 'credentials.sid',
		);
	});
});

// The four regions' real domains, seen through a loopback HTTPS proxy that refuses
// every CONNECT: the host is proven without any byte leaving the machine.
describe('Region base URLs', () => {
	let recorder;
	before(async () => {
		recorder = await startConnectRecorder();
		process.env.HTTPS_PROXY = recorder.url;
	});
	after(async () => {
		delete process.env.HTTPS_PROXY;
		await recorder.close();
	});

	for (const [region, host] of [
		['in', 'api.in.kaleyra.io:443'],
		['sg', 'api.ap.kaleyra.io:443'],
		['eu', 'api.eu.kaleyra.io:443'],
		['na', 'api.na.kaleyra.io:443'],
	]) {
		it(`sends region ${region} to ${host}, for the node and for the credential test`, async () => {
			recorder.hosts.length = 0;
			const credentials = { region, sid: DEFAULT_ACCOUNT.sid, apiKey: DEFAULT_ACCOUNT.apiKey };
			const result = await runOperation(null, 'retryOtp', [itemFor(NUMBERS.pending1)], {
				credentials,
			});
			assert.equal(result.failed.length, 1, 'the refused proxy leaves the item on Error');
			assert.equal((await testCredential(credentials)).status, 'Error');
			assert.deepEqual(recorder.hosts, [host, host]);
		});
	}
});
