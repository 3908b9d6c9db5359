// The package in a real n8n, through n8n's own CLI: the example workflows and a test-only
// workflow that covers every path, each run once with `n8n execute`, checked against the
// run data n8n printed and the requests the Kaleyra emulator received.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { executeWorkflow } from '../../scripts/n8n/cli.mjs';
import { formCredential, kaleyraCredential } from '../../scripts/n8n/credentials.mjs';
import { DEFAULT_ACCOUNT, NUMBERS } from '../../emulator/fixtures.mjs';
import {
	BAD_KEY_CREDENTIAL,
	BRANCHES,
	COVERAGE_WORKFLOW_ID,
	FOREIGN_WABA,
	coverageWorkflow,
} from './lib/coverageWorkflow.mjs';
import { freePorts } from '../../scripts/n8n/ports.mjs';
import { expectedRequest, receivedRequests, sorted } from './lib/requests.mjs';
import { attemptsPerInputItem, outputsOf, summary } from './lib/runData.mjs';
import { openInstance, readExamples } from '../../scripts/n8n/instance.mjs';

const BAD_API_KEY = 'Z9y8x7w6v5u4t3s2r1q0p9o8n7m6l5k43';
const SECRETS = [DEFAULT_ACCOUNT.apiKey, BAD_API_KEY];
const [WABA] = DEFAULT_ACCOUNT.wabaIds;
const skip = process.env.KALEYRA_E2E_TARBALL ? false : 'needs a real n8n: run `npm run test:e2e`';

describe('the package in a real n8n, run by `n8n execute`', { skip }, () => {
	let instance;

	before(async () => {
		const [port, brokerPort] = await freePorts(2);
		instance = await openInstance({
			tarball: process.env.KALEYRA_E2E_TARBALL,
			port,
			brokerPort,
			credentials: (url) => [
				kaleyraCredential(url),
				kaleyraCredential(url, { ...BAD_KEY_CREDENTIAL, apiKey: BAD_API_KEY }),
				formCredential(),
			],
			workflows: [...readExamples(), coverageWorkflow()],
		});
	});
	after(async () => {
		await instance?.close();
	});

	/** Runs a workflow on a fresh emulator; returns its run data and the requests Kaleyra got. */
	async function run(workflowId) {
		await instance.emulator.reset();
		const { execution, output } = await executeWorkflow(instance.n8n, workflowId);
		const printed = output + JSON.stringify(execution);
		for (const secret of SECRETS) {
			assert.ok(
				!printed.includes(secret),
				`an API key appears in what n8n printed for ${workflowId}`,
			);
		}
		return { execution, requests: receivedRequests(await instance.emulator.requests()) };
	}

	test('batch example: good numbers reach Success, each failure reaches Error with its code', async () => {
		const { execution, requests } = await run('kaleyraBatchDemo');
		const [success, error] = outputsOf(execution, 'Verify Number');
		assert.deepEqual(summary(success), [
			{ phoneNumber: NUMBERS.pending1.phoneNumber, alreadyApproved: false },
			{ phoneNumber: NUMBERS.pendingZeroOtp.phoneNumber, alreadyApproved: false },
			{ phoneNumber: NUMBERS.pendingLongId.phoneNumber, alreadyApproved: false },
			{ phoneNumber: NUMBERS.approved.phoneNumber, alreadyApproved: true },
		]);
		assert.deepEqual(summary(error), [
			{ phoneNumber: NUMBERS.pending2.phoneNumber, code: 'WA400' },
			{ phoneNumber: NUMBERS.unavailable.phoneNumber, code: 'WA500' },
			{ phoneNumber: NUMBERS.pending2.phoneNumber, code: 'WA401' },
			{ phoneNumber: NUMBERS.pending2.phoneNumber, code: 'INVALID_INPUT' },
		]);
		// The example's own follow-up nodes got those items.
		assert.equal(outputsOf(execution, 'Verified')[0].length, 4);
		assert.deepEqual(
			outputsOf(execution, 'Needs attention')[0].map((j) => j.code),
			['WA400', 'WA500', 'WA401', 'INVALID_INPUT'],
		);
		// The short OTP never left n8n; the 17-digit id and the leading-zero OTP arrived intact.
		const inputs = [
			[NUMBERS.pending1],
			[NUMBERS.pendingZeroOtp],
			[NUMBERS.pendingLongId],
			[NUMBERS.approved],
			[NUMBERS.pending2, '999999'],
			[NUMBERS.unavailable],
			[NUMBERS.pending2, NUMBERS.pending2.otp, FOREIGN_WABA],
		].map(([n, otp = n.otp, wabaId = WABA]) => ({
			wabaId,
			phoneNumberId: n.id,
			phoneNumber: n.phoneNumber,
			otp,
		}));
		const attempts = attemptsPerInputItem(execution, 'Verify Number');
		assert.equal(attempts[7], 0, 'the item with a short OTP was sent to Kaleyra');
		const expected = inputs.flatMap((item, i) =>
			Array(attempts[i]).fill(
				expectedRequest({ operation: 'verifyNumber', apiKey: DEFAULT_ACCOUNT.apiKey, item }),
			),
		);
		assert.deepEqual(requests, sorted(expected));
	});

	test('onboarding example: the sample OTP verifies the number and the form ends on "verified"', async () => {
		const { execution, requests } = await run('kaleyraOnboard01');
		const [success, error] = outputsOf(execution, 'Verify Number');
		assert.deepEqual(summary(success), [
			{ phoneNumber: NUMBERS.pending1.phoneNumber, alreadyApproved: false },
		]);
		assert.deepEqual(error, []);
		// The Form Ending node ran, so the execution waits to show its page, as it does for a form user.
		assert.equal(outputsOf(execution, 'Number verified')[0].length, 1);
		assert.equal(execution.status, 'waiting');
		assert.equal(requests.length, 1);
		assert.equal(requests[0].body.otp, '123456');
	});

	test('dialect check example: reads only, and reports the emulator’s default dialect', async () => {
		const { execution, requests } = await run('kaleyraDialect01');
		assert.ok(requests.length > 0);
		assert.ok(requests.every((r) => r.method === 'GET'), 'the check sent more than reads');
		const [[{ report, forAnIssue }]] = outputsOf(execution, 'Report');
		assert.equal(report.detailsPath, 'plus');
		assert.match(report.listShape, /^a list the node reads/);
		assert.deepEqual(report.errors, []);
		for (const number of Object.values(NUMBERS))
			assert.ok(!forAnIssue.includes(number.phoneNumber.slice(1)), 'the report shows a number');
	});

	test('every path in one run: both operations, RBC001/WA400/WA401/WA500, On Error = error output', async () => {
		const { execution, requests } = await run(COVERAGE_WORKFLOW_ID);
		const expectedRequests = [];
		for (const branch of BRANCHES) {
			const outputs = outputsOf(execution, branch.node);
			const expectSuccess = branch.cases.filter((c) => !c.expect.code).map((c) => c.expect);
			const expectError = branch.cases.filter((c) => c.expect.code).map((c) => c.expect);
			assert.deepEqual(summary(outputs[0]), expectSuccess, `${branch.node}: Success output`);
			assert.deepEqual(summary(outputs[1]), expectError, `${branch.node}: Error output`);
			// With "Continue (using error output)" n8n adds a third output; the node's own Error
			// items carry more than error/message, so n8n must leave them on the node's Error.
			const expectedOutputs = branch.settings?.onError === 'continueErrorOutput' ? 3 : 2;
			assert.equal(outputs.length, expectedOutputs, `${branch.node}: number of outputs`);
			if (expectedOutputs === 3)
				assert.deepEqual(outputs[2], [], `${branch.node}: n8n's own error output`);
			for (const item of outputs[0]) assert.equal(item.operation, branch.operation);

			const apiKey =
				branch.credential === BAD_KEY_CREDENTIAL ? BAD_API_KEY : DEFAULT_ACCOUNT.apiKey;
			const attempts = attemptsPerInputItem(execution, branch.node);
			branch.cases.forEach((c, i) => {
				assert.ok(attempts[i] >= 1, `${branch.node}: item ${i} never reached Kaleyra`);
				const request = expectedRequest({ operation: branch.operation, apiKey, item: c.item });
				for (let n = 0; n < attempts[i]; n++) expectedRequests.push(request);
			});
		}
		const rbc001 = outputsOf(execution, 'Verify (bad key)')[1][0].error;
		assert.match(rbc001.hint, /SID/);
		assert.match(rbc001.hint, /API key/);
		assert.match(rbc001.hint, /region/);
		assert.deepEqual(requests, sorted(expectedRequests));
	});
});
