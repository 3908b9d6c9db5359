import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TOOL_NODE_TYPE, callAsTool } from '../helpers/aiTool.mjs';
import { nodeTypes } from '../helpers/engine.mjs';
import {
	NUMBERS,
	WABA_ID,
	assertNoApiKey,
	credentialsFor,
	useEmulator,
} from '../helpers/kaleyra.mjs';

// What an agent fills in: the parameters are $fromAI() expressions, as the editor's
// "Let the model define this parameter" button writes them.
const VERIFY_BY_AGENT = {
	operation: 'verifyNumber',
	wabaId: WABA_ID,
	phoneNumberId:
		"={{ $fromAI('phoneNumberId', 'Kaleyra phone number ID, digits only', 'string') }}",
	phoneNumber:
		"={{ $fromAI('phoneNumber', 'Phone number in E.164 form, such as +919765400001', 'string') }}",
	otp: "={{ $fromAI('otp', 'The 6-digit code the number received', 'string') }}",
};

function verifyCall(number, overrides = {}) {
	return {
		phoneNumberId: number.id,
		phoneNumber: number.phoneNumber,
		otp: number.otp,
		...overrides,
	};
}

describe('Used as an AI Agent tool', () => {
	const emulator = useEmulator();

	it('is offered as a tool, under the name n8n derives for usableAsTool nodes', () => {
		const { description } = nodeTypes.getByName(TOOL_NODE_TYPE.replace(/Tool$/, ''));
		assert.equal(description.usableAsTool, true);
	});

	it('gives the agent the success of a verify', async () => {
		const { error, answers } = await callAsTool({
			parameters: VERIFY_BY_AGENT,
			toolCalls: [verifyCall(NUMBERS.pending1)],
			credentials: credentialsFor(emulator()),
		});
		assert.equal(error, undefined, error?.message);
		assert.equal(answers.length, 1);
		const [result] = answers[0].answer;
		assert.equal(result.success, true);
		assert.equal(result.code, 'WA200');
		assert.equal(result.phoneNumber, NUMBERS.pending1.phoneNumber);
		assert.equal(emulator().requests.length, 1);
	});

	it('gives the agent each failure with its code, hint and retryable flag, not an empty answer', async () => {
		const { error, answers } = await callAsTool({
			parameters: VERIFY_BY_AGENT,
			toolCalls: [
				verifyCall(NUMBERS.pending2, { otp: '000000' }),
				verifyCall(NUMBERS.pending1, { phoneNumber: '9765400001' }),
				verifyCall(NUMBERS.unavailable),
			],
			credentials: credentialsFor(emulator()),
		});
		assert.equal(error, undefined, error?.message);
		const results = answers.map(({ answer }) => {
			assert.equal(answer.length, 1, 'one result per tool call');
			return answer[0];
		});

		assert.deepEqual(
			results.map((result) => [result.success, result.error.code, result.error.retryable]),
			[
				[false, 'WA400', false],
				[false, 'INVALID_INPUT', false],
				[false, 'WA500', true],
			],
		);
		assert.deepEqual(results[1].error.fields, ['phoneNumber']);
		for (const result of results)
			assert.ok(result.error.hint.length > 20, 'a hint the agent can act on');
		const requestedIds = emulator().requests.map((request) => JSON.parse(request.rawBody).id);
		assert.ok(!requestedIds.includes(NUMBERS.pending1.id), 'the invalid number cost no request');
		assert.equal(
			requestedIds.length,
			1 + results[2].attempts,
			'a busy Kaleyra was tried again, safely',
		);
	});

	it('keeps the API key out of what the agent sees, even when the key is wrong', async () => {
		const credentials = credentialsFor(emulator(), { apiKey: 'wrong-key-0123456789' });
		const { run, answers } = await callAsTool({
			parameters: VERIFY_BY_AGENT,
			toolCalls: [verifyCall(NUMBERS.pending1)],
			credentials,
		});
		assert.equal(answers[0].answer[0].error.code, 'RBC001');
		assertNoApiKey(run.data);
		assert.ok(!JSON.stringify(run.data).includes(credentials.apiKey));
	});

	it('lets the agent choose the Retry OTP channel', async () => {
		const { answers } = await callAsTool({
			parameters: {
				operation: 'retryOtp',
				wabaId: WABA_ID,
				phoneNumberId: NUMBERS.pending1.id,
				phoneNumber: NUMBERS.pending1.phoneNumber,
				typeVerification: "={{ $fromAI('channel', 'SMS or VOICE', 'string') }}",
			},
			toolCalls: [{ channel: 'voice' }],
			credentials: credentialsFor(emulator()),
		});
		const [result] = answers[0].answer;
		assert.equal(result.success, true);
		assert.equal(result.channel, 'VOICE');
		assert.equal(JSON.parse(emulator().requests[0].rawBody).type_verification, 'VOICE');
	});
});
