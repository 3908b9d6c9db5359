// The docs' samples are what the package really does: the output JSON of docs/operations.md and
// the demo's printout in docs/development.md are compared with real runs, and docs/errors.md
// lists every error code. (Their commands run in CI: .ci/run and the e2e suite.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { PACKAGE_DIR } from '../helpers/engine.mjs';
import {
	NUMBERS,
	WABA_ID,
	itemFor,
	onlyItem,
	runOperation,
	useEmulator,
} from '../helpers/kaleyra.mjs';

const require = createRequire(import.meta.url);
const read = (page) => readFileSync(`${PACKAGE_DIR}/${page}`, 'utf8');
const readme = read('README.md');
const operations = read('docs/operations.md');

function codeBlockAfter(heading, language = '', page = operations) {
	const start = page.indexOf(heading);
	assert.ok(start >= 0, `no "${heading}"`);
	const match = page.slice(start).match(new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```'));
	assert.ok(match, `no code block after "${heading}"`);
	return match[1];
}

describe('The docs', () => {
	const emulator = useEmulator();

	it("say what an empty list gives, where the README's operations say every item leaves by one of two outputs", () => {
		const start = readme.indexOf('## Operations');
		const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
		assert.match(section, /Every item leaves by\s+one of two outputs/);
		assert.match(
			section,
			/Get Many\s+Numbers on a WABA without numbers outputs no item for that input item/,
		);
		assert.match(section, /\*\*Always Output Data\*\*/);
	});

	it('show the Success item a verify really gives', async () => {
		const result = await runOperation(emulator(), 'verifyNumber', [itemFor(NUMBERS.pending1)]);
		assert.deepEqual(
			onlyItem(result, 'success').json,
			JSON.parse(codeBlockAfter('Success (Verify Number):', 'json')),
		);
	});

	it('show the Error item a wrong OTP really gives', async () => {
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
		[
			'Get Number Details Success',
			'getNumberDetails',
			{ json: { phoneNumber: NUMBERS.pending1.phoneNumber } },
		],
	];
	for (const [heading, operation, item] of SAMPLES) {
		it(`show the ${heading} item a real run gives`, async () => {
			const result = await runOperation(emulator(), operation, [item]);
			assert.deepEqual(result.success[0].json, JSON.parse(codeBlockAfter(heading, 'json')));
		});
	}

	it('show what npm run demo prints', () => {
		const printed = execFileSync(process.execPath, ['test/demo.mjs'], {
			cwd: PACKAGE_DIR,
			encoding: 'utf8',
		});
		const shown = codeBlockAfter('`npm run demo` prints', '', read('docs/development.md'));
		assert.ok(printed.includes(shown), `demo printed:\n${printed}`);
	});

	it('list every error code the node can give', () => {
		const { KALEYRA_ERRORS, OWN_ERROR_CODES } = require(
			`${PACKAGE_DIR}/dist/nodes/KaleyraWhatsAppNumber/results/errorCatalogue.js`,
		);
		const kaleyraCodes = KALEYRA_ERRORS.map(({ reportedAs }) => reportedAs);
		for (const code of [...Object.values(OWN_ERROR_CODES), ...kaleyraCodes, 'WA400']) {
			assert.match(
				read('docs/errors.md'),
				new RegExp('\\| `' + code + '` \\|'),
				`${code} is not in the error table`,
			);
		}
	});
});
