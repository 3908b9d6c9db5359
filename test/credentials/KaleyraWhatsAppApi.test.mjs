import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startConnectRecorder } from '../helpers/connectRecorder.mjs';
import { testCredential } from '../helpers/credentialTest.mjs';
import { DEFAULT_ACCOUNT, NUMBERS, credentialsFor, itemFor, runOperation, useEmulator } from '../helpers/kaleyra.mjs';

describe('Kaleyra WhatsApp API credential', () => {
	const emulator = useEmulator();

	it('passes its test with a good SID and key, asking for no WABA ID', async () => {
		const result = await testCredential(credentialsFor(emulator()));
		assert.deepEqual(result, { status: 'OK', message: 'Connection successful!' });
		const [request] = emulator().requests;
		assert.equal(request.method, 'GET');
		assert.equal(request.path, `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/0/number`);
		assert.equal(request.headers['api-key'], DEFAULT_ACCOUNT.apiKey);
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
			assert.ok(!result.message.includes(DEFAULT_ACCOUNT.apiKey));
		});
	}

	it('fails its test when the base URL answers but is not Kaleyra', async () => {
		const notKaleyra = await startConnectRecorder();
		try {
			const result = await testCredential(credentialsFor(emulator(), { baseUrl: notKaleyra.url }));
			assert.equal(result.status, 'Error');
			assert.match(result.message, /did not answer like Kaleyra/);
		} finally {
			await notKaleyra.close();
		}
	});

	it('drops trailing slashes of a custom base URL', async () => {
		const credentials = credentialsFor(emulator(), { baseUrl: `${emulator().url}//` });
		assert.equal((await testCredential(credentials)).status, 'OK');
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)], { credentials });
		assert.equal(result.success.length, 1);
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
			const result = await runOperation(null, 'retryOtp', [itemFor(NUMBERS.pending1)], { credentials });
			assert.equal(result.failed.length, 1, 'the refused proxy leaves the item on Error');
			assert.equal((await testCredential(credentials)).status, 'Error');
			assert.deepEqual(recorder.hosts, [host, host]);
		});
	}
});
