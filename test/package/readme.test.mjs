// The README's samples are what the package really does: its output JSON and the demo's
// printout are compared with real runs. (Its commands run in CI: .ci/run and the e2e suite.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { PACKAGE_DIR } from '../helpers/engine.mjs';
import { NUMBERS, WABA_ID, itemFor, onlyItem, runOperation, useEmulator } from '../helpers/kaleyra.mjs';

const require = createRequire(import.meta.url);
const readme = readFileSync(`${PACKAGE_DIR}/README.md`, 'utf8');

function codeBlockAfter(heading, language = '') {
	const start = readme.indexOf(heading);
	assert.ok(start >= 0, `README has no "${heading}"`);
	const match = readme.slice(start).match(new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```'));
	assert.ok(match, `README has no code block after "${heading}"`);
	return match[1];
}

describe('README', () => {
	const emulator = useEmulator();

	it('says what an empty list gives, where it says every item leaves by one of two outputs', () => {
		const intro = readme.slice(0, readme.indexOf('## Installation'));
		assert.match(intro, /Every item leaves by\s+one of two outputs/);
		assert.match(intro, /Get Many\s+Numbers on a WABA without numbers outputs no item for that input item/);
		assert.match(intro, /\*\*Always Output Data\*\*/);
	});

	it('shows the Success item a verify really gives', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)]);
		assert.deepEqual(
			onlyItem(result, 'success').json,
			JSON.parse(codeBlockAfter("Success (Verify Number):", "json")),
		);
	});

	it('shows the Error item a wrong OTP really gives', async () => {
		const item = itemFor(NUMBERS.pending2, { otp: '999999' });
		const result = await runOperation(emulator(), 'verifyNumber', [item]);
		assert.deepEqual(onlyItem(result, 'failed').json, JSON.parse(codeBlockAfter('Error:', 'json')));
	});

	const SAMPLES = [
		['Retry OTP Success', 'retryOtp', { ...itemFor(NUMBERS.pending1) }],
		[
			'Add Number Success',
			'addNumber',
			{
				json: {
					wabaId: WABA_ID,
					phoneNumber: '+919765409999',
					countryCode: '91',
					displayName: 'Acme Travel',
					channel: 'SMS',
				},
			},
		],
		['Get Many Numbers Success', 'getManyNumbers', { json: { wabaId: WABA_ID } }],
		['Get Number Details Success', 'getNumberDetails', { json: { phoneNumber: NUMBERS.pending1.phoneNumber } }],
	];
	for (const [heading, operation, item] of SAMPLES) {
		it(`shows the ${heading} item a real run gives`, async () => {
			const result = await runOperation(emulator(), operation, [item]);
			assert.deepEqual(result.success[0].json, JSON.parse(codeBlockAfter(heading, 'json')));
		});
	}

	it('shows what npm run demo prints', () => {
		const printed = execFileSync(process.execPath, ['test/demo.mjs'], {
			cwd: PACKAGE_DIR,
			encoding: 'utf8',
		});
		const shown = codeBlockAfter('`npm run demo` prints');
		assert.ok(printed.includes(shown), `demo printed:\n${printed}`);
	});

	it('lists every error code the node can give', () => {
		const { OWN_ERROR_CODES } = require(
			`${PACKAGE_DIR}/dist/nodes/KaleyraWhatsAppNumber/results/itemResults.js`,
		);
		for (const code of [...Object.values(OWN_ERROR_CODES), 'RBC001', 'WA400', 'WA401', 'WA500']) {
			assert.match(
				readme,
				new RegExp('\\| `' + code + '` \\|'),
				`${code} is not in the error table`,
			);
		}
	});
});
