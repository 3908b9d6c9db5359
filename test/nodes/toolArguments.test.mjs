// The node as n8n's AI Agent (Tools Agent, v3) runs it: the agent's tool call becomes the node's
// input item, the agent's own input, the model's arguments as sent (n8n does not check them
// against the schema it showed the model) and n8n's `toolCallId`, and each `$fromAI` parameter
// reads the model's argument of its key. Every mistake must come back as INVALID_INPUT in the
// model's own words, with nothing sent. (test/e2e/agent.test.mjs does the same in a real n8n.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runKaleyraNode } from '../helpers/engine.mjs';
import { NUMBERS, WABA_ID, credentialsFor, onlyItem, useEmulator } from '../helpers/kaleyra.mjs';

// As the editor's button writes them, with the keys it gives the fields.
const byModel = (key) =>
	`={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('${key}', \`\`, 'string') }}`;
const VERIFY_TOOL = {
	operation: 'verifyNumber',
	wabaId: WABA_ID,
	phoneNumberId: byModel('Phone_Number_ID'),
	phoneNumber: byModel('Phone_Number'),
	otp: byModel('OTP'),
};
const RETRY_TOOL = {
	operation: 'retryOtp',
	wabaId: WABA_ID,
	phoneNumberId: byModel('Phone_Number_ID'),
	phoneNumber: byModel('Phone_Number'),
	typeVerification: byModel('Channel'),
};
const byModelAs = (key, type) =>
	`={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('${key}', \`\`, '${type}') }}`;
const LIST_TOOL = {
	operation: 'getManyNumbers',
	wabaId: WABA_ID,
	returnAll: byModelAs('Return_All', 'boolean'),
	limit: byModelAs('Limit', 'number'),
};
const DETAILS_TOOL = { operation: 'getNumberDetails', phoneNumber: byModel('Phone_Number') };
// What a Chat Trigger gives the agent: n8n merges it into every tool call's item.
const CHAT_INPUT = { sessionId: 's1', action: 'sendMessage', chatInput: 'Verify my number' };
const number = NUMBERS.pending1;

describe('Tool arguments, as n8n’s AI Agent hands them to the node', () => {
	const emulator = useEmulator();

	async function toolCall(parameters, args, { asToolCall = true } = {}) {
		const result = await runKaleyraNode({
			parameters,
			items: [{ json: { ...CHAT_INPUT, ...args, ...(asToolCall && { toolCallId: 'call_1' }) } }],
			credentials: credentialsFor(emulator()),
		});
		assert.equal(result.error, undefined, result.error?.message);
		return result;
	}

	async function refused(parameters, args) {
		const { json } = onlyItem(await toolCall(parameters, args), 'failed');
		assert.equal(json.error.code, 'INVALID_INPUT');
		assert.equal(emulator().requests.length, 0, 'a refused call must send nothing');
		return json.error;
	}

	it('verifies with the arguments the model was asked for, the code read out with a space', async () => {
		const spoken = `${number.otp.slice(0, 3)} ${number.otp.slice(3)}`;
		const result = await toolCall(VERIFY_TOOL, {
			Phone_Number_ID: number.id,
			Phone_Number: number.phoneNumber,
			OTP: spoken,
		});
		assert.equal(onlyItem(result, 'success').json.code, 'WA200');
		assert.equal(JSON.parse(emulator().requests[0].rawBody).otp, number.otp);
	});

	it('names the model’s key of the field Kaleyra refused', async () => {
		const result = await toolCall(VERIFY_TOOL, {
			Phone_Number_ID: number.id,
			Phone_Number: number.phoneNumber,
			OTP: '000000',
		});
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'WA400');
		assert.deepEqual(error.fields, ['otp']);
		assert.deepEqual(error.arguments, ['OTP']);
	});

	it('names a number given for the OTP by the model’s key, and says to send text', async () => {
		const error = await refused(VERIFY_TOOL, {
			Phone_Number_ID: number.id,
			Phone_Number: number.phoneNumber,
			OTP: 12345,
		});
		assert.deepEqual(error.fields, ['otp']);
		assert.deepEqual(error.arguments, ['OTP']);
		assert.equal(error.message, 'otp (tool argument "OTP") has 5 digits; it needs exactly 6');
		assert.match(
			error.hint,
			/^"OTP": Give the OTP as the 6-digit code the number received, as text/,
		);
		assert.match(error.hint, /no try was used up/);
		assert.doesNotMatch(
			error.hint,
			/Retry OTP/,
			'a new code would not help: the code was never sent',
		);
		assert.match(error.hint, /quoted as text/);
	});

	it('says which argument the call left out', async () => {
		const error = await refused(VERIFY_TOOL, {
			Phone_Number_ID: number.id,
			Phone_Number: number.phoneNumber,
		});
		assert.deepEqual(error.arguments, ['OTP']);
		assert.equal(
			error.message,
			'otp (tool argument "OTP") is missing: the tool call did not give it',
		);
		assert.match(error.hint, /Call the tool again with "OTP" as well/);
	});

	it('refuses a Retry OTP that carries an OTP: the model meant to verify, and no code is sent', async () => {
		const error = await refused(RETRY_TOOL, {
			Phone_Number_ID: number.id,
			Phone_Number: number.phoneNumber,
			Channel: 'SMS',
			OTP: number.otp,
		});
		assert.deepEqual(error.fields, []);
		assert.deepEqual(error.arguments, ['OTP']);
		assert.equal(error.message, 'Tool argument "OTP" is not an argument of this tool');
		assert.equal(
			error.hint,
			'Retry OTP takes "Phone_Number_ID", "Phone_Number", "Channel". "OTP" belongs to Verify Number: call that tool instead, or leave "OTP" out.',
		);
	});

	it('refuses an argument the workflow sets for the tool itself', async () => {
		const error = await refused(VERIFY_TOOL, {
			Phone_Number_ID: number.id,
			Phone_Number: number.phoneNumber,
			OTP: number.otp,
			WABA_ID: '766000000000002',
		});
		assert.deepEqual(error.arguments, ['WABA_ID']);
		assert.match(error.hint, /The workflow sets "WABA_ID" for this tool: leave it out/);
	});

	it('sends a Retry OTP whose items merely carry an OTP when no agent called it', async () => {
		const result = await toolCall(
			RETRY_TOOL,
			{
				Phone_Number_ID: number.id,
				Phone_Number: number.phoneNumber,
				Channel: 'SMS',
				OTP: number.otp,
			},
			{ asToolCall: false },
		);
		assert.equal(onlyItem(result, 'success').json.code, 'WA200');
	});

	it('says the phone number ID and the number look swapped, once, in the model’s words', async () => {
		const error = await refused(VERIFY_TOOL, {
			Phone_Number_ID: number.phoneNumber,
			Phone_Number: number.id,
			OTP: number.otp,
		});
		assert.deepEqual(error.fields, ['phoneNumberId', 'phoneNumber']);
		assert.deepEqual(error.arguments, ['Phone_Number_ID', 'Phone_Number']);
		assert.equal(
			error.hint,
			'"Phone_Number_ID" and "Phone_Number" look swapped: give "Phone_Number_ID" the digits Add Number returned as phoneNumberId, and "Phone_Number" the number with "+" and its country code.',
		);
	});

	it('lists every number when the model turns Return All on and leaves Limit out', async () => {
		const result = await toolCall(LIST_TOOL, { Return_All: true });
		assert.equal(result.error, undefined);
		assert.deepEqual(result.failed, []);
		assert.ok(result.success.length > 0, 'no number listed');
		assert.ok(emulator().requests.every(({ method }) => method === 'GET'));
	});

	it('says Limit is missing when the model leaves it out with Return All off', async () => {
		const error = await refused(LIST_TOOL, { Return_All: false });
		assert.deepEqual(error.arguments, ['Limit']);
		assert.match(error.hint, /Call the tool again with "Limit" as well/);
	});

	it('refuses Return All given to Add Number: it belongs to Get Many Numbers', async () => {
		const error = await refused(
			{
				operation: 'addNumber',
				wabaId: WABA_ID,
				phoneNumber: byModel('Phone_Number'),
				countryCode: '91',
				displayName: 'Acme Travel',
				typeVerification: 'SMS',
			},
			{ Phone_Number: '+919765400777', Return_All: true },
		);
		assert.deepEqual(error.arguments, ['Return_All']);
		assert.match(error.hint, /"Return_All" belongs to Get Many Numbers/);
	});

	it('names the model’s key of a field a documented refusal of the catalogue names', async () => {
		emulator().setFaults({ queue: Array(4).fill('answer:unauthorizedPhoneNumber') });
		const result = await toolCall(
			{ ...DETAILS_TOOL, options: { maxTries: 1 } },
			{ Phone_Number: number.phoneNumber },
		);
		const { error } = onlyItem(result, 'failed').json;
		assert.equal(error.code, 'WA401');
		assert.deepEqual(error.fields, ['phoneNumber']);
		assert.deepEqual(error.arguments, ['Phone_Number']);
	});
});
