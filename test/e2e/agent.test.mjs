// examples/onboarding-agent.json in a running n8n: n8n's own AI Agent (Tools Agent) with the
// five operations as tools, its OpenAI Chat Model pointed at a scripted OpenAI-compatible
// server on 127.0.0.1 (lib/modelServer.mjs). One chat message, and the scripted model onboards
// a number through the tools: add, a wrong code, a new code, four argument mistakes, the right
// code (typed with a space), the details. Checked against what the model received at each
// step, what Kaleyra (the emulator) received, and what n8n stored.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_ACCOUNT } from '../../emulator/fixtures.mjs';
import { kaleyraCredential } from '../../scripts/n8n/credentials.mjs';
import { openInstance, readExamples } from '../../scripts/n8n/instance.mjs';
import { freePorts } from '../../scripts/n8n/ports.mjs';
import { restClient } from '../../scripts/n8n/rest.mjs';
import { startN8n, waitUntilServed } from '../../scripts/n8n/server.mjs';
import { startModelServer } from './lib/modelServer.mjs';
import { executionFromRest } from './lib/runData.mjs';
import { stopN8nAndClose } from './lib/stopN8n.mjs';

const skip = process.env.KALEYRA_E2E_TARBALL ? false : 'needs a real n8n: run `npm run test:e2e`';

const EXAMPLE_ID = 'kaleyraAgent0001';
const [WABA] = DEFAULT_ACCOUNT.wabaIds;
const NEW_NUMBER = '+919765400099';
const WRONG_OTP = '111111';
// The model's own key for its provider: it may reach the model server, never Kaleyra's.
const MODEL_API_KEY = 'sk-scripted-model-0000';
const TOOL_NAMES = [
	'Add_Number',
	'Verify_Number',
	'Retry_OTP',
	'Get_Number_Details',
	'Get_Many_Numbers',
];
const TOOL_ARGUMENTS = {
	Add_Number: ['Phone_Number', 'Country_Calling_Code', 'Display_Name', 'Channel'],
	Verify_Number: ['Phone_Number_ID', 'Phone_Number', 'OTP'],
	Retry_OTP: ['Phone_Number_ID', 'Phone_Number', 'Channel'],
	Get_Number_Details: ['Phone_Number'],
	Get_Many_Numbers: [],
};

// SQLite makes and removes its journal (database.sqlite-journal) as n8n writes: one listed a
// moment ago may be gone, which leaves nothing to search.
function readIfStillThere(file) {
	try {
		return fs.readFileSync(file);
	} catch (error) {
		if (error.code === 'ENOENT') return Buffer.alloc(0);
		throw error;
	}
}

/**
 * What the model was given back for its last `count` tool calls, oldest first:
 * `[{ name, text, answer }]`. n8n writes each call of a round as its own assistant message,
 * followed by the tool's answer.
 */
function lastToolAnswers(body, count = 1) {
	const answers = body.messages.filter((m) => m.role === 'tool').slice(-count);
	return answers.map((message) => {
		const call = body.messages
			.flatMap((m) => m.tool_calls ?? [])
			.find((candidate) => candidate.id === message.tool_call_id);
		assert.ok(call, `no call for the answer ${message.tool_call_id}`);
		const text =
			typeof message.content === 'string'
				? message.content
				: message.content.map((part) => part.text).join('');
		return { name: call.function.name, text, answer: JSON.parse(text) };
	});
}

/** The one result of a tool answer (the node answers one item per call). */
function resultOf({ name, answer }) {
	const items = Array.isArray(answer) ? answer : [answer];
	assert.equal(items.length, 1, `${name} answered ${items.length} items`);
	return items[0].json ?? items[0];
}

describe(
	'examples/onboarding-agent.json: n8n’s AI Agent onboards a number through the tools',
	{ skip },
	() => {
		let instance;
		let server;
		let model;
		let rest;
		let chatUrl;
		// What the model is given at each step, and the state the script needs.
		const seen = { phoneNumberId: null, kaleyraBefore: [], newCode: null };

		const kaleyraPaths = async () =>
			(await instance.emulator.requests()).map(
				(r) => `${r.method} ${r.path.split('/whatsapp/')[1]}`,
			);

		// Each step checks the answers the model was given for its previous calls, then calls on.
		const script = [
			() => ({
				toolCalls: [
					{
						name: 'Add_Number',
						args: {
							Phone_Number: NEW_NUMBER,
							Country_Calling_Code: '91',
							Display_Name: 'Acme Travel',
							Channel: 'SMS',
						},
					},
				],
			}),
			(body) => {
				const [added] = lastToolAnswers(body);
				seen.addAnswer = resultOf(added);
				seen.phoneNumberId = seen.addAnswer.phoneNumberId;
				return {
					toolCalls: [
						{
							name: 'Verify_Number',
							args: {
								Phone_Number_ID: seen.phoneNumberId,
								Phone_Number: NEW_NUMBER,
								OTP: WRONG_OTP,
							},
						},
					],
				};
			},
			(body) => {
				seen.wrongAnswer = resultOf(lastToolAnswers(body)[0]);
				return {
					toolCalls: [
						{
							name: 'Retry_OTP',
							args: {
								Phone_Number_ID: seen.phoneNumberId,
								Phone_Number: NEW_NUMBER,
								Channel: 'SMS',
							},
						},
					],
				};
			},
			async (body) => {
				seen.retryAnswer = resultOf(lastToolAnswers(body)[0]);
				seen.newCode = (await instance.emulator.otps(NEW_NUMBER)).at(-1).otp;
				seen.kaleyraBefore = await kaleyraPaths();
				const id = seen.phoneNumberId;
				// Four calls at once, each with one mistake: n8n passes them to the tools unchecked.
				return {
					toolCalls: [
						{
							name: 'Verify_Number',
							// A number for the OTP: its leading zero is already gone.
							args: { Phone_Number_ID: id, Phone_Number: NEW_NUMBER, OTP: 12345 },
						},
						{ name: 'Verify_Number', args: { Phone_Number_ID: id, Phone_Number: NEW_NUMBER } },
						{
							name: 'Retry_OTP',
							// An extra field: a Retry OTP that meant to verify would send a new code.
							args: {
								Phone_Number_ID: id,
								Phone_Number: NEW_NUMBER,
								Channel: 'SMS',
								OTP: seen.newCode,
							},
						},
						{
							name: 'Verify_Number',
							args: { Phone_Number_ID: NEW_NUMBER, Phone_Number: id, OTP: seen.newCode },
						},
					],
				};
			},
			async (body) => {
				seen.mistakes = lastToolAnswers(body, 4).map((answer) => ({
					name: answer.name,
					text: answer.text,
					result: resultOf(answer),
				}));
				seen.kaleyraAfterMistakes = await kaleyraPaths();
				// The code as a person reads it out: in two groups of three.
				const spoken = `${seen.newCode.slice(0, 3)} ${seen.newCode.slice(3)}`;
				return {
					toolCalls: [
						{
							name: 'Verify_Number',
							args: { Phone_Number_ID: seen.phoneNumberId, Phone_Number: NEW_NUMBER, OTP: spoken },
						},
					],
				};
			},
			(body) => {
				seen.rightAnswer = resultOf(lastToolAnswers(body)[0]);
				return { toolCalls: [{ name: 'Get_Number_Details', args: { Phone_Number: NEW_NUMBER } }] };
			},
			(body) => {
				seen.detailsAnswer = resultOf(lastToolAnswers(body)[0]);
				return { text: `${NEW_NUMBER} is verified and ${seen.detailsAnswer.status}.` };
			},
		];

		before(async () => {
			model = await startModelServer(script);
			const [port, brokerPort] = await freePorts(2);
			const example = readExamples().find((workflow) => workflow.id === EXAMPLE_ID);
			// The one change to the example: its chat made public without authentication, so a
			// test can post to it as the hosted chat page does (a builder chats in the editor
			// instead). As shipped, the chat is not public and asks for n8n User Auth if made so.
			const trigger = example.nodes.find((n) => n.type.endsWith('.chatTrigger'));
			assert.equal(trigger.parameters.public, false);
			assert.equal(trigger.parameters.authentication, 'n8nUserAuth');
			trigger.parameters.public = true;
			trigger.parameters.authentication = 'none';
			chatUrl = `http://127.0.0.1:${port}/webhook/${trigger.webhookId}/chat`;
			instance = await openInstance({
				tarball: process.env.KALEYRA_E2E_TARBALL,
				port,
				brokerPort,
				credentials: (url) => [
					kaleyraCredential(url),
					{
						id: 'openAiAccount001',
						name: 'OpenAI account',
						type: 'openAiApi',
						data: { apiKey: MODEL_API_KEY, url: model.url, header: false },
					},
				],
				workflows: [example],
				activate: [EXAMPLE_ID],
			});
			server = await startN8n(instance.n8n, { port });
			rest = restClient(server.url);
			await rest.setUpOwner();
			await waitUntilServed(chatUrl);
		});
		after(() =>
			stopN8nAndClose(
				server,
				() => instance?.close(),
				() => model?.stop(),
			),
		);

		test('one chat message: add, wrong code, new code, four mistakes refused unsent, right code, details', async (t) => {
			await instance.emulator.reset();
			const res = await fetch(chatUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					action: 'sendMessage',
					sessionId: 'agent-e2e',
					chatInput: `Please connect ${NEW_NUMBER} for Acme Travel; the code can come by SMS.`,
				}),
			});
			const reply = await res.text();
			assert.equal(res.status, 200, reply);

			// The tools as the model received them, first call (the same every call).
			const [first] = model.requests;
			const tools = Object.fromEntries(
				first.body.tools.map(({ function: f }) => [
					f.name,
					{ description: f.description, parameters: f.parameters },
				]),
			);
			t.diagnostic(`tools the model received: ${JSON.stringify(tools)}`);
			assert.deepEqual(
				model.requests.map((r) => r.url),
				Array(script.length).fill('/v1/chat/completions'),
				'one chat-completions call per step, never the Responses API',
			);
			assert.match(reply, /is verified and CONNECTED/, 'the chat got the model’s last words');
			for (const request of model.requests)
				assert.deepEqual(
					request.body.tools.map((tool) => tool.function.name).sort(),
					[...TOOL_NAMES].sort(),
				);
			for (const name of TOOL_NAMES) {
				const { parameters } = tools[name];
				assert.deepEqual(
					Object.keys(parameters.properties).sort(),
					[...TOOL_ARGUMENTS[name]].sort(),
				);
				for (const [key, schema] of Object.entries(parameters.properties)) {
					assert.equal(schema.type, 'string', `${name}.${key}`);
					assert.ok(schema.description?.length > 20, `${name}.${key} has no description`);
				}
			}
			// Each tool says what calling it costs or changes.
			assert.match(tools.Add_Number.description, /a code by a real SMS or voice call/);
			assert.match(
				tools.Retry_OTP.description,
				/real SMS or voice call \(only when the person asks/,
			);
			assert.match(tools.Verify_Number.description, /each call uses up one of the code's tries/);
			assert.match(tools.Get_Number_Details.description, /read-only/i);
			assert.match(tools.Get_Many_Numbers.description, /read-only/i);
			assert.match(tools.Verify_Number.parameters.properties.OTP.description, /6-digit/);
			assert.match(tools.Verify_Number.parameters.properties.Phone_Number.description, /E\.164/);
			assert.match(tools.Retry_OTP.parameters.properties.Channel.description, /SMS.*VOICE/);

			// What the model read back at each step.
			assert.equal(seen.addAnswer.success, true, JSON.stringify(seen.addAnswer));
			assert.match(seen.phoneNumberId, /^\d{15,}$/);
			assert.equal(seen.wrongAnswer.error.code, 'WA400');
			assert.deepEqual(
				seen.wrongAnswer.error.arguments,
				['OTP'],
				'the refused field in the model’s words',
			);
			assert.match(seen.wrongAnswer.error.hint, /Retry OTP/);
			assert.equal(seen.retryAnswer.success, true, JSON.stringify(seen.retryAnswer));
			assert.equal(seen.retryAnswer.channel, 'SMS');
			assert.equal(seen.rightAnswer.success, true, JSON.stringify(seen.rightAnswer));
			assert.equal(seen.rightAnswer.otp, `****${seen.newCode.slice(-2)}`);
			assert.equal(seen.detailsAnswer.status, 'CONNECTED');

			// Every argument mistake: a clear INVALID_INPUT naming the argument as the model wrote
			// it, and nothing sent.
			assert.deepEqual(seen.kaleyraAfterMistakes, seen.kaleyraBefore, 'a mistake reached Kaleyra');
			const [numberOtp, missingOtp, extra, swapped] = seen.mistakes;
			for (const mistake of seen.mistakes) {
				assert.equal(mistake.result.success, false, mistake.text);
				assert.equal(mistake.result.error.code, 'INVALID_INPUT', mistake.text);
				assert.ok(!mistake.text.includes(seen.newCode), `${mistake.name} gave the OTP back`);
			}
			assert.deepEqual(numberOtp.result.error.arguments, ['OTP']);
			assert.match(numberOtp.result.error.hint, /"OTP".*text/);
			assert.deepEqual(missingOtp.result.error.arguments, ['OTP']);
			assert.match(missingOtp.result.error.message, /OTP/);
			assert.deepEqual(extra.result.error.arguments, ['OTP']);
			assert.match(extra.result.error.hint, /Verify Number|Verify_Number/);
			assert.deepEqual(swapped.result.error.arguments.sort(), ['Phone_Number', 'Phone_Number_ID']);
			assert.match(swapped.result.error.hint, /swapped/);

			assert.deepEqual(await kaleyraPaths(), [
				`POST ${WABA}/number/add`,
				`POST ${WABA}/number/verify`,
				`POST ${WABA}/number/retry_otp`,
				`POST ${WABA}/number/verify`,
				`GET %2B${NEW_NUMBER.slice(1)}/phone_number_details`,
			]);
			// Each request's log line names the run of the node: the two verifies are told apart.
			const leaving = server
				.output()
				.split('\n')
				.filter((line) => line.includes('Kaleyra verifyNumber request leaving'));
			const runs = leaving.map(
				(line) => /node "Verify Number", run (\d+), item 0,/.exec(line)?.[1],
			);
			t.diagnostic(`Verify Number's request lines: ${leaving.join(' | ')}`);
			assert.equal(runs.length, 2);
			assert.ok(runs[0] !== undefined && runs[0] !== runs[1], `log lines: ${leaving.join('\n')}`);
			const verifies = (await instance.emulator.requests()).filter((r) =>
				r.path.endsWith('/verify'),
			);
			assert.deepEqual(
				verifies.map((r) => r.json.otp),
				[WRONG_OTP, seen.newCode],
				'the spoken code went as six digits',
			);

			// The Kaleyra key reached neither the model nor n8n's database.
			const apiKey = DEFAULT_ACCOUNT.apiKey;
			for (const request of model.requests) {
				assert.ok(!request.raw.includes(apiKey), 'the Kaleyra key reached the model');
				assert.ok(!JSON.stringify(request.headers).includes(apiKey));
			}
			const n8nFolder = path.join(instance.userFolder, '.n8n');
			const databaseFiles = fs.readdirSync(n8nFolder).filter((f) => f.startsWith('database'));
			assert.ok(databaseFiles.includes('database.sqlite'), 'no database file found');
			for (const file of databaseFiles)
				assert.ok(
					!readIfStillThere(path.join(n8nFolder, file)).includes(apiKey),
					`the Kaleyra key is in ${file}`,
				);

			// Where n8n keeps the arguments the model wrote (the README says so): the code as typed.
			const [summary] = await rest
				.get(`/executions?filter=${encodeURIComponent('{}')}`)
				.then((data) => data.results);
			const saved = await rest.get(`/executions/${summary.id}`);
			const execution = executionFromRest(instance.n8n.target, saved);
			assert.equal(execution.status, 'success');
			const runData = execution.data.resultData.runData;
			const holders = Object.keys(runData)
				.filter((name) => JSON.stringify(runData[name]).includes(seen.newCode))
				.sort();
			t.diagnostic(`nodes whose stored run data holds the code as the model wrote it: ${holders}`);
			assert.deepEqual(holders, [
				'Onboarding agent',
				'OpenAI Chat Model',
				'Retry OTP',
				'Verify Number',
			]);
			const verifyRuns = runData['Verify Number'];
			for (const run of verifyRuns)
				for (const item of run.data?.ai_tool?.flat() ?? [])
					if (item.json.otp) assert.match(item.json.otp, /^\*+\d\d$/);
			t.diagnostic(
				`Verify Number runs: ${verifyRuns.length}; inputOverride of the last: ${JSON.stringify(verifyRuns.at(-1).inputOverride)}`,
			);
		});
	},
);
