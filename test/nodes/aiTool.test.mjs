import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TOOL_NODE_TYPE, callAsTool, runAgentTurn } from '../helpers/aiTool.mjs';
import { NODE_TYPE, nodeTypes } from '../helpers/engine.mjs';
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

// ---------------------------------------------------------------------------------------
// An agent with one Kaleyra tool per operation takes a new number live, turn by turn.
// ---------------------------------------------------------------------------------------

/** The node's own parameter `name` as shown for `operation` (its label makes the $fromAI key). */
function propertyOf(operation, name) {
	const { properties } = nodeTypes.getByName(NODE_TYPE).description;
	const property = properties.find(
		(candidate) =>
			candidate.name === name && candidate.displayOptions?.show?.operation?.includes(operation),
	);
	assert.ok(property, `${operation} has no parameter ${name}`);
	return property;
}

/**
 * What the editor's "Let the model define this parameter" button writes into a text field:
 * the key is the field's label with anything but letters, digits and "-" made "_", the
 * description empty until the builder types one.
 */
function definedByTheModel(operation, name) {
	const key = propertyOf(operation, name)
		.displayName.replace(/[^a-zA-Z0-9-]/g, '_')
		.slice(0, 63);
	return `={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('${key}', \`\`, 'string') }}`;
}

// The editor offers no such button for an options field (Channel): the builder switches it to
// an expression and writes the $fromAI call, as the node's Channel description invites.
const CHANNEL_BY_THE_MODEL = "={{ $fromAI('Channel', 'SMS or VOICE', 'string') }}";

// The five tools, as a builder sets them up: one node per operation, named after it (n8n
// makes the node name the tool name), the WABA fixed, the rest left to the model.
const ONBOARDING_TOOLS = [
	{
		name: 'Add Number',
		parameters: {
			operation: 'addNumber',
			wabaId: WABA_ID,
			phoneNumber: definedByTheModel('addNumber', 'phoneNumber'),
			countryCode: definedByTheModel('addNumber', 'countryCode'),
			displayName: definedByTheModel('addNumber', 'displayName'),
			typeVerification: CHANNEL_BY_THE_MODEL,
		},
	},
	{
		name: 'Get Number Details',
		parameters: {
			operation: 'getNumberDetails',
			phoneNumber: definedByTheModel('getNumberDetails', 'phoneNumber'),
		},
	},
	{
		name: 'Retry OTP',
		parameters: {
			operation: 'retryOtp',
			wabaId: WABA_ID,
			phoneNumberId: definedByTheModel('retryOtp', 'phoneNumberId'),
			phoneNumber: definedByTheModel('retryOtp', 'phoneNumber'),
			typeVerification: CHANNEL_BY_THE_MODEL,
		},
	},
	{
		name: 'Verify Number',
		parameters: {
			operation: 'verifyNumber',
			wabaId: WABA_ID,
			phoneNumberId: definedByTheModel('verifyNumber', 'phoneNumberId'),
			phoneNumber: definedByTheModel('verifyNumber', 'phoneNumber'),
			otp: definedByTheModel('verifyNumber', 'otp'),
		},
	},
	{ name: 'Get Many Numbers', parameters: { operation: 'getManyNumbers', wabaId: WABA_ID } },
];

// What the model reads of each tool: its name and the parameters it must fill in.
const TOOL_PARAMETERS = {
	Add_Number: ['Phone_Number', 'Country_Calling_Code', 'Display_Name', 'Channel'],
	Get_Number_Details: ['Phone_Number'],
	Retry_OTP: ['Phone_Number_ID', 'Phone_Number', 'Channel'],
	Verify_Number: ['Phone_Number_ID', 'Phone_Number', 'OTP'],
	Get_Many_Numbers: [],
};

const NEW_NUMBER = { countryCode: '91', e164: '+919765400099' };

/** What the model read back from a call: the text, parsed as the model would. */
const answerOf = (call) => JSON.parse(call.received);

/** One scripted model turn: each step gets the calls so far and gives the next call. */
const scripted =
	(...steps) =>
	async ({ calls }) =>
		steps[calls.length]?.(calls) ?? null;

describe('An AI Agent with a Kaleyra tool per operation', () => {
	const emulator = useEmulator();

	/** One agent turn with the five tools; checks what every turn must hold. */
	async function turn(...steps) {
		const requestsBefore = emulator().requests.length;
		const result = await runAgentTurn({
			tools: ONBOARDING_TOOLS,
			model: scripted(...steps),
			credentials: credentialsFor(emulator()),
		});
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(result.calls.length, steps.length, 'the model made every call it meant to');
		// Everything the agent got (tool list, each answer) and everything n8n recorded.
		assertNoApiKey(result.tools, ...result.calls.map(({ received }) => received), result.run.data);
		for (const call of result.calls)
			assert.ok(!/api-key/i.test(call.received), `${call.tool} showed the api-key header`);
		const requests = emulator().requests.slice(requestsBefore);
		return {
			...result,
			requests: requests.map(({ method, path }) => `${method} ${path.split('/whatsapp/')[1]}`),
		};
	}

	it('sees five tools, each named after its operation and asking only for its own parameters', async () => {
		const { tools, calls } = await turn();
		assert.equal(calls.length, 0);
		assert.deepEqual(
			Object.fromEntries(
				tools.map(({ name, parameters }) => [name, Object.keys(parameters.properties)]),
			),
			Object.fromEntries(
				ONBOARDING_TOOLS.map(({ name }) => [
					name.replace(/ /g, '_'),
					TOOL_PARAMETERS[name.replace(/ /g, '_')],
				]),
			),
		);
		for (const { name, parameters, description } of tools) {
			assert.deepEqual(parameters.required ?? [], TOOL_PARAMETERS[name], `${name}: all required`);
			for (const [key, schema] of Object.entries(parameters.properties))
				assert.equal(schema.type, 'string', `${name}.${key} is text`);
			// Set Automatically: the operation's action, in the node's name.
			assert.match(description, /Kaleyra/);
		}
		assert.equal(
			tools.find(({ name }) => name === 'Retry_OTP').parameters.properties.Channel.description,
			'SMS or VOICE',
		);
	});

	it('tells the model what each tool costs or changes, in the description it reads', async () => {
		const { tools } = await turn();
		const described = Object.fromEntries(tools.map(({ name, description }) => [name, description]));
		assert.deepEqual(described, {
			Add_Number:
				'Add a phone number (Kaleyra sends it a code by a real SMS or voice call; one already added is looked up, no code sent) to a WABA in Kaleyra WhatsApp Number',
			Get_Number_Details: 'Get the details (read-only) of a phone number in Kaleyra WhatsApp Number',
			Retry_OTP:
				'Send a new OTP by a real SMS or voice call (only when the person asks for one: each call sends another) to a phone number in Kaleyra WhatsApp Number',
			Verify_Number:
				"Verify a phone number with the OTP the person gave (each call uses up one of the code's tries) in Kaleyra WhatsApp Number",
			Get_Many_Numbers: 'Get many phone numbers (read-only) of a WABA in Kaleyra WhatsApp Number',
		});
	});

	it(
		'gives each tool an automatic description that names its own operation',
		// n8n-workflow's makeDescription() takes an operation's `action` ("Add a phone number to a
		// WABA in Kaleyra WhatsApp Number") only when the Operation parameter is shown for a
		// Resource: hence the node's one Resource.
		async () => {
			const { tools } = await turn();
			const { properties } = nodeTypes.getByName(NODE_TYPE).description;
			const actions = Object.fromEntries(
				properties
					.find(({ name }) => name === 'operation')
					.options.map(({ value, action }) => [value, action]),
			);
			for (const { name, description } of tools) {
				const operation = ONBOARDING_TOOLS.find((tool) => tool.name.replace(/ /g, '_') === name)
					.parameters.operation;
				assert.ok(
					description.includes(actions[operation]),
					`${name} is described as "${description}", not by its action "${actions[operation]}"`,
				);
			}
		},
	);

	it('gives the model the description the builder wrote, with Tool Description set manually', async () => {
		const described = ONBOARDING_TOOLS.map((tool) => ({
			...tool,
			parameters: {
				...tool.parameters,
				descriptionType: 'manual',
				toolDescription: `${tool.name} on Kaleyra, for the onboarding of a WhatsApp number`,
			},
		}));
		const result = await runAgentTurn({
			tools: described,
			model: async () => null,
			credentials: credentialsFor(emulator()),
		});
		assert.deepEqual(
			result.tools.map(({ name, description }) => [name, description]).sort(),
			described
				.map(({ name, parameters }) => [name.replace(/ /g, '_'), parameters.toolDescription])
				.sort(),
		);
	});

	it('takes a new number from Add Number to connected, one tool call per step, with what the agent acts on at each', async () => {
		// Turn 1. "Add +91 97654 00099 for Acme Travel, code by SMS." The agent adds it, keeps
		// the phone number ID from the answer, and checks the number.
		let phoneNumberId;
		const added = await turn(
			() => ({
				tool: 'Add_Number',
				args: {
					Phone_Number: NEW_NUMBER.e164,
					Country_Calling_Code: NEW_NUMBER.countryCode,
					Display_Name: 'Acme Travel',
					Channel: 'SMS',
				},
			}),
			(calls) => {
				phoneNumberId = answerOf(calls[0])[0].phoneNumberId;
				return { tool: 'Get_Number_Details', args: { Phone_Number: NEW_NUMBER.e164 } };
			},
		);
		assert.deepEqual(added.requests, [
			`POST ${WABA_ID}/number/add`,
			`GET %2B${NEW_NUMBER.e164.slice(1)}/phone_number_details`,
		]);
		const [addAnswer] = answerOf(added.calls[0]);
		assert.deepEqual(
			{ ...addAnswer, data: undefined },
			{
				success: true,
				outcome: 'Number added; a code was sent by SMS',
				operation: 'addNumber',
				wabaId: WABA_ID,
				phoneNumber: NEW_NUMBER.e164,
				countryCode: NEW_NUMBER.countryCode,
				displayName: 'Acme Travel',
				channel: 'SMS',
				code: 'WA200',
				message: 'Request Processed Successfully',
				phoneNumberId,
				alreadyExisted: false,
				data: undefined,
				attempts: 1,
			},
		);
		assert.match(phoneNumberId, /^\d{15,}$/, 'a phone number ID, as text');
		assert.equal(emulator().numbers()[phoneNumberId].phoneNumber, NEW_NUMBER.e164);
		assert.equal(answerOf(added.calls[0]).length, 1, 'one answer for one call');
		const [pending] = answerOf(added.calls[1]);
		assert.equal(pending.success, true);
		assert.equal(pending.status, 'PENDING');
		assert.equal(pending.verifiedName, 'Acme Travel');
		assert.match(pending.numberProblem.possibleSolution, /Verify the number with the OTP/);
		const [firstCode] = emulator().otps();
		assert.deepEqual(
			[firstCode.phoneNumber, firstCode.channel, firstCode.reason],
			[NEW_NUMBER.e164, 'SMS', 'add'],
		);

		// Turn 2. "No SMS came. Can you call me instead?"
		const resent = await turn(() => ({
			tool: 'Retry_OTP',
			args: { Phone_Number_ID: phoneNumberId, Phone_Number: NEW_NUMBER.e164, Channel: 'voice' },
		}));
		assert.deepEqual(resent.requests, [`POST ${WABA_ID}/number/retry_otp`]);
		const [resentAnswer] = answerOf(resent.calls[0]);
		assert.deepEqual(
			[
				resentAnswer.success,
				resentAnswer.operation,
				resentAnswer.channel,
				resentAnswer.phoneNumberId,
			],
			[true, 'retryOtp', 'VOICE', phoneNumberId],
		);
		const codes = emulator().otps();
		assert.deepEqual(
			codes.map(({ channel, reason }) => `${reason} by ${channel}`),
			['add by SMS', 'retry by VOICE'],
		);
		const code = codes.at(-1).otp;

		// Turn 3. The user reads out a wrong code. The agent verifies it once, learns the code
		// was wrong, that repeating it will not help and what to do, and asks again.
		const wrongCode = code === '111111' ? '222222' : '111111';
		const wrong = await turn(() => ({
			tool: 'Verify_Number',
			args: { Phone_Number_ID: phoneNumberId, Phone_Number: NEW_NUMBER.e164, OTP: wrongCode },
		}));
		assert.deepEqual(wrong.requests, [`POST ${WABA_ID}/number/verify`]);
		const [refused] = answerOf(wrong.calls[0]);
		assert.equal(refused.success, false);
		assert.equal(refused.operation, 'verifyNumber');
		assert.equal(refused.error.code, 'WA400');
		assert.deepEqual(refused.error.fields, ['otp'], 'the OTP is what to fix');
		assert.equal(refused.error.retryable, false, 'the same call again would fail again');
		assert.match(refused.error.hint, /Retry OTP/, 'a hint the agent can act on');
		assert.ok(!wrong.calls[0].received.includes(wrongCode), 'the code is masked in the answer');
		assert.equal(emulator().numbers()[phoneNumberId].state, 'pending');

		// Turn 4. The user reads out the code the phone got. The agent verifies it, then
		// confirms in the list and in the details that the number is live.
		const verified = await turn(
			() => ({
				tool: 'Verify_Number',
				args: { Phone_Number_ID: phoneNumberId, Phone_Number: NEW_NUMBER.e164, OTP: code },
			}),
			() => ({ tool: 'Get_Many_Numbers', args: {} }),
			() => ({ tool: 'Get_Number_Details', args: { Phone_Number: NEW_NUMBER.e164 } }),
		);
		assert.deepEqual(verified.requests, [
			`POST ${WABA_ID}/number/verify`,
			`GET ${WABA_ID}/number`,
			`GET %2B${NEW_NUMBER.e164.slice(1)}/phone_number_details`,
		]);
		const [accepted] = answerOf(verified.calls[0]);
		assert.deepEqual(
			[accepted.success, accepted.code, accepted.alreadyApproved, accepted.phoneNumberId],
			[true, 'WA200', false, phoneNumberId],
		);
		assert.ok(!verified.calls[0].received.includes(code), 'the code is masked in the answer');
		const listed = answerOf(verified.calls[1]);
		assert.equal(
			listed.length,
			Object.keys(NUMBERS).length + 1,
			'every number of the WABA, one entry each',
		);
		const entry = listed.find((number) => number.phoneNumberId === phoneNumberId);
		assert.deepEqual(
			[entry.success, entry.phoneNumber, entry.displayName, entry.status],
			[true, NEW_NUMBER.e164, 'Acme Travel', 'CONNECTED'],
		);
		const [live] = answerOf(verified.calls[2]);
		assert.deepEqual(
			[live.success, live.status, live.nameStatus, live.canSendMessage, live.numberProblem],
			[true, 'CONNECTED', 'APPROVED', 'AVAILABLE', undefined],
		);

		// The code reached the agent from the phone only: no answer of Kaleyra's carried it.
		for (const { tool, received } of [added, resent, wrong, verified].flatMap(({ calls }) => calls))
			assert.ok(!received.includes(code), `${tool} gave the agent the OTP`);
		assert.equal(emulator().requests.length, 7, 'one request per tool call, none repeated');
	});
});
