// Redaction works on the parsed values: a server that echoes the API key or the OTP with JSON
// escapes (fully or partly \u-escaped, in keys and values, at any depth) reaches no output,
// on Success, on Error and in an AI Agent's answer. The OTP's six digits leave only masked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { callAsTool } from '../../helpers/aiTool.mjs';
import { startAnsweringServer } from '../../helpers/answeringServer.mjs';
import { DEFAULT_ACCOUNT, NUMBERS, WABA_ID, itemFor, runOperation } from '../../helpers/kaleyra.mjs';

const KEY = DEFAULT_ACCOUNT.apiKey;
const NUMBER = NUMBERS.pending1;
const OTP = NUMBER.otp;

const escapeAll = (text) =>
	[...text].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
// Every other character escaped, upper-case hex: what some serializers write.
const escapeSome = (text) =>
	[...text]
		.map((char, at) =>
			at % 2 ? char : `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
		)
		.join('');

/** A Kaleyra answer, as raw JSON text, that echoes the key and the OTP in escaped forms. */
function echoing(code) {
	return `{"code":"${code}","message":"echo ${escapeAll(KEY)} otp ${escapeSome(OTP)}","data":{"id":"${NUMBER.id}","deep":[{"${escapeSome(KEY)}":{"otp":"${escapeAll(OTP)}","asNumber":${Number(OTP)},"header":"api-key: ${escapeSome(KEY)}"}}]},"error":{"otp":"${escapeAll(OTP)}"}}`;
}

function assertNothingSecret(value) {
	const text = JSON.stringify(value);
	assert.ok(!text.includes(KEY), `the API key is in ${text}`);
	assert.ok(!new RegExp(`(?<!\\d)${OTP}(?!\\d)`).test(text), `the OTP is in ${text}`);
	assert.ok(!text.includes(String(Number(OTP))) || String(Number(OTP)).length < 6 || !/\D/.test('x'), text);
}

describe('Redaction of escaped secrets', () => {
	let server;
	before(async () => {
		assert.ok(Number(OTP) >= 100000, 'the fixture OTP has no leading zero: it survives as a number');
		server = await startAnsweringServer({ status: 200, body: '{}' });
	});
	after(() => server.close());

	for (const [status, code, branch] of [
		[200, 'WA200', 'success'],
		[400, 'WA400', 'failed'],
	]) {
		it(`${code}: a \\u-escaped key and OTP are redacted from the ${branch} item`, async () => {
			server.answer({ status, body: echoing(code) });
			const result = await runOperation(null, 'verifyNumber', [itemFor(NUMBER)], {
				credentials: server.credentials(),
			});
			assert.equal(result[branch].length, 1);
			assertNothingSecret(result.run);
			const text = JSON.stringify(result[branch][0].json);
			assert.match(text, /\[redacted API key\]/);
			assert.ok(text.includes(`****${OTP.slice(-2)}`), 'the OTP is masked, not dropped');
			// The ID beside it survives whole.
			if (branch === 'success') assert.equal(result.success[0].json.data.id, NUMBER.id);
		});
	}

	it('an AI Agent’s answer carries neither', async () => {
		server.answer({ status: 200, body: echoing('WA200') });
		const { error, answers, run } = await callAsTool({
			parameters: {
				operation: 'verifyNumber',
				wabaId: WABA_ID,
				phoneNumberId: "={{ $fromAI('phoneNumberId', 'ID', 'string') }}",
				phoneNumber: "={{ $fromAI('phoneNumber', 'number', 'string') }}",
				otp: "={{ $fromAI('otp', 'code', 'string') }}",
			},
			toolCalls: [{ phoneNumberId: NUMBER.id, phoneNumber: NUMBER.phoneNumber, otp: OTP }],
			credentials: server.credentials(),
		});
		assert.equal(error, undefined, error?.message);
		assert.equal(answers[0].answer[0].success, true);
		assertNothingSecret(answers);
		assert.ok(!JSON.stringify(run.data.resultData.runData['Kaleyra Tool']).includes(KEY));
	});
});

describe('Redaction of secrets the raw text does not show', () => {
	let server;
	before(async () => {
		server = await startAnsweringServer({ status: 200, body: '{}' });
	});
	after(() => server.close());

	const exponent = `${OTP[0]}.${OTP.slice(1)}e5`;
	for (const [status, code, branch] of [
		[200, 'WA200', 'success'],
		[400, 'WA400', 'failed'],
	]) {
		it(`${code}: an OTP echoed as a number in exponent form (${exponent}) is masked`, async () => {
			assert.equal(Number(exponent), Number(OTP));
			server.answer({
				status,
				body: `{"code":"${code}","message":"echo","data":{"otp":${exponent}},"error":{"otp":${exponent}}}`,
			});
			const result = await runOperation(null, 'verifyNumber', [itemFor(NUMBER)], {
				credentials: server.credentials(),
			});
			assert.equal(result[branch].length, 1);
			assertNothingSecret(result.run);
			assert.ok(JSON.stringify(result[branch][0].json).includes(`****${OTP.slice(-2)}`));
		});
	}

	for (const operation of ['verifyNumber', 'retryOtp']) {
		it(`${operation}: the key echoed lower-cased or upper-cased is redacted`, async () => {
			server.answer({
				status: 400,
				body: { code: 'WA400', message: `bad key ${KEY.toLowerCase()}`, data: { key: KEY.toUpperCase() }, error: {} },
			});
			const result = await runOperation(null, operation, [itemFor(NUMBER)], {
				credentials: server.credentials(),
			});
			assert.equal(result.failed.length, 1);
			const text = JSON.stringify(result.run).toLowerCase();
			assert.ok(!text.includes(KEY.toLowerCase()), text);
			assert.match(JSON.stringify(result.failed[0].json), /\[redacted API key\]/);
		});
	}
});
