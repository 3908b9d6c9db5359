// What most tests share: an emulator per test file, credentials pointing at it,
// and node parameters mapped from each item the way a workflow maps them.
import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';

import { startKaleyraEmulator } from '../../emulator/kaleyra-emulator.mjs';
import { DEFAULT_ACCOUNT, NUMBERS } from '../../emulator/fixtures.mjs';
import { runKaleyraNode } from './engine.mjs';

export { DEFAULT_ACCOUNT, NUMBERS };
export const WABA_ID = DEFAULT_ACCOUNT.wabaIds[0];

/** Starts one emulator for the file and gives each test a fresh one; returns a getter. */
export function useEmulator(options) {
	let emulator;
	before(async () => {
		emulator = await startKaleyraEmulator(options);
	});
	beforeEach(() => emulator.reset());
	after(() => emulator.close());
	return () => emulator;
}

export function credentialsFor(emulator, overrides = {}) {
	return {
		region: 'custom',
		baseUrl: emulator.url,
		sid: DEFAULT_ACCOUNT.sid,
		apiKey: DEFAULT_ACCOUNT.apiKey,
		...overrides,
	};
}

/** Parameters that read every value from the incoming item, as a form-fed workflow does. */
export const MAPPED_PARAMETERS = {
	verifyNumber: {
		operation: 'verifyNumber',
		wabaId: '={{ $json.wabaId }}',
		phoneNumberId: '={{ $json.phoneNumberId }}',
		phoneNumber: '={{ $json.phoneNumber }}',
		otp: '={{ $json.otp }}',
	},
	retryOtp: {
		operation: 'retryOtp',
		wabaId: '={{ $json.wabaId }}',
		phoneNumberId: '={{ $json.phoneNumberId }}',
		phoneNumber: '={{ $json.phoneNumber }}',
		typeVerification: '={{ $json.channel }}',
	},
	addNumber: {
		operation: 'addNumber',
		wabaId: '={{ $json.wabaId }}',
		phoneNumber: '={{ $json.phoneNumber }}',
		countryCode: '={{ $json.countryCode }}',
		displayName: '={{ $json.displayName }}',
		typeVerification: '={{ $json.channel }}',
	},
	getManyNumbers: {
		operation: 'getManyNumbers',
		wabaId: '={{ $json.wabaId }}',
	},
	getNumberDetails: {
		operation: 'getNumberDetails',
		phoneNumber: '={{ $json.phoneNumber }}',
	},
};

/** An input item for a fixture number, with any field replaced. */
export function itemFor(number, overrides = {}) {
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

export async function runOperation(emulator, operation, items, { options, credentials, nodeSettings, onRunning } = {}) {
	return await runKaleyraNode({
		parameters: { ...MAPPED_PARAMETERS[operation], ...(options ? { options } : {}) },
		items,
		credentials: credentials ?? credentialsFor(emulator),
		nodeSettings,
		onRunning,
	});
}

/** The one item a single-item run put on `branch`, after checking the other branch is empty. */
export function onlyItem(result, branch) {
	const other = branch === 'success' ? 'failed' : 'success';
	assert.equal(result.error, undefined, `the node run failed: ${result.error?.message}`);
	assert.equal(result[other].length, 0, `expected nothing on ${other}, got ${JSON.stringify(result[other])}`);
	assert.equal(result[branch].length, 1, `expected one item on ${branch}`);
	return result[branch][0];
}

export function assertNoApiKey(...values) {
	for (const value of values) {
		const text = typeof value === 'string' ? value : JSON.stringify(value);
		assert.ok(!text.includes(DEFAULT_ACCOUNT.apiKey), 'the API key appears in the output');
	}
}

/**
 * A request as the emulator logged it was Kaleyra's POST to `/number/<endpoint>` of the test
 * WABA: the key in `api-key`, a JSON content type and exactly `body`.
 */
export function assertPostedTo(request, endpoint, body) {
	assert.equal(request.method, 'POST');
	assert.equal(request.path, `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA_ID}/number/${endpoint}`);
	assert.equal(request.headers['api-key'], DEFAULT_ACCOUNT.apiKey);
	assert.equal(request.headers['content-type'], 'application/json');
	assert.deepEqual(JSON.parse(request.rawBody), body);
}
