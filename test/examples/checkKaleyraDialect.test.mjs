// examples/check-kaleyra-dialect.json, in-process: its two Kaleyra nodes run in n8n's engine
// against the emulator in each dialect, and its Report node's code reads their outputs as n8n's
// Code node hands them over ($('Node').all(output)). The report must name the dialect the
// emulator spoke, field by field, with no phone number, ID or key in it; the workflow must
// never add, verify or resend. (In a real n8n the e2e suite imports it with the other examples.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { PACKAGE_DIR } from '../helpers/engine.mjs';
import { DEFAULT_ACCOUNT, NUMBERS, WABA_ID, runOperation, useEmulator } from '../helpers/kaleyra.mjs';

const workflow = JSON.parse(readFileSync(`${PACKAGE_DIR}/examples/check-kaleyra-dialect.json`, 'utf8'));
const node = (name) => workflow.nodes.find((n) => n.name === name);
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;

/** The Report node's code, run on the Kaleyra nodes' outputs (json items per output). */
async function reportOf(outputs) {
	const $ = (name) => {
		if (!(name in outputs)) throw new Error(`Referenced node is unexecuted: ${name}`);
		return { all: (output = 0) => (outputs[name][output] ?? []).map((json) => ({ json })) };
	};
	const [item] = await new AsyncFunction('$', node('Report').parameters.jsCode)($);
	return item.json;
}

describe('examples/check-kaleyra-dialect.json', () => {
	const emulator = useEmulator();

	it('is read-only: only Get Many Numbers and Get Number Details, wired list → a few → details → report', () => {
		const kaleyra = workflow.nodes.filter((n) => n.type.endsWith('.kaleyraWhatsAppNumber'));
		assert.deepEqual(
			kaleyra.map((n) => n.parameters.operation).sort(),
			['getManyNumbers', 'getNumberDetails'],
		);
		assert.equal(workflow.id.length, 16);
		const targets = (from) => workflow.connections[from].main.map((out) => out.map((c) => c.node));
		assert.deepEqual(targets('Get Many Numbers'), [['A few numbers'], ['Report']]);
		assert.deepEqual(targets('A few numbers'), [['Get Number Details', 'Report']]);
		// Execution order v1 runs the upper branch (details) before the report.
		assert.equal(workflow.settings.executionOrder, 'v1');
		assert.ok(node('Get Number Details').position[1] < node('Report').position[1]);
	});

	/** Runs the example's two Kaleyra nodes as it wires them, and its report. */
	async function check(wabaId = WABA_ID) {
		const list = await runOperation(emulator(), 'getManyNumbers', [{ json: { wabaId } }]);
		const outputs = { 'Get Many Numbers': [list.success.map((i) => i.json), list.failed.map((i) => i.json)] };
		if (list.success.length > 0) {
			const few = list.success.slice(0, node('A few numbers').parameters.maxItems);
			const details = await runOperation(
				emulator(),
				'getNumberDetails',
				few.map(({ json }) => ({ json })),
			);
			outputs['Get Number Details'] = [details.success.map((i) => i.json), details.failed.map((i) => i.json)];
		}
		const result = await reportOf(outputs);
		const text = JSON.stringify(result);
		for (const secret of [DEFAULT_ACCOUNT.apiKey, WABA_ID, ...Object.values(NUMBERS).flatMap((n) => [n.id, n.phoneNumber, n.phoneNumber.slice(1)])])
			assert.ok(!text.includes(secret), `the report shows ${secret}`);
		assert.ok(result.forAnIssue.includes(JSON.stringify(result.report, null, 2)));
		assert.ok(emulator().requests.every((r) => r.method === 'GET'), 'the check sent more than reads');
		return result.report;
	}

	for (const dialect of [
		{ detailsPath: 'plus', accepted: 'WA200', health: 'strings', limits: 'portfolio', listShape: 'array' },
		{ detailsPath: 'digits', accepted: 'WA202', health: 'booleans', limits: 'tier', listShape: 'numbers' },
		{ detailsPath: 'both', accepted: 'WA200', health: 'booleans', limits: 'both', listShape: 'data', wrongPathAnswer: 'wa400' },
	]) {
		it(`reports the dialect the account answered in: ${JSON.stringify(dialect)}`, async () => {
			emulator().setDialect(dialect);
			const report = await check();
			assert.equal(report.detailsPath, dialect.detailsPath === 'digits' ? 'digits' : 'plus');
			assert.equal(report.list, `answered ${dialect.accepted}`);
			assert.deepEqual(report.detailsAnswered, [dialect.accepted]);
			assert.match(report.listShape, /^a list the node reads \(\d+ numbers\)$/);
			assert.equal(report.health, dialect.health === 'strings' ? 'string' : 'boolean');
			const tier = dialect.limits !== 'portfolio';
			const portfolio = dialect.limits !== 'tier';
			assert.equal(report.messaging_limit_tier !== 'absent', tier);
			assert.equal(report.whatsapp_business_manager_messaging_limit !== 'absent', portfolio);
			assert.equal(report.max_daily_conversations_per_business !== 'absent', portfolio);
			assert.equal(report.can_receive_call_sip !== 'absent', dialect.health === 'strings');
			assert.ok(report.status.includes('PENDING'), JSON.stringify(report.status));
			assert.deepEqual(report.idLengths, [15, 16, 17]);
			assert.deepEqual(report.errors, []);
		});
	}

	it('reports a refused list by its code, with the numbers in its message redacted', async () => {
		const report = await check('766000000000999');
		assert.equal(report.list, 'refused: WA401');
		assert.equal(report.detailsPath, 'not checked (no number listed)');
		assert.equal(report.errors.length, 1);
		assert.equal(report.errors[0].code, 'WA401');
	});

	it('redacts digit runs in an error message', async () => {
		const { report } = await reportOf({
			'Get Many Numbers': [[], [{ error: { code: 'WA400', httpStatus: 400, message: 'number +91 97654 00001 (id 100000000000001) refused' } }]],
		});
		assert.equal(report.errors[0].message, 'number # (id #) refused');
	});
});
