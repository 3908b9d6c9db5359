// Every assumption in the emulator points at the section of docs/kaleyra-api.md that weighs its
// evidence: an `ASSUMED` in emulator/*.mjs is followed, on its line, by
// `(docs/kaleyra-api.md#<anchor>`, and every `docs/kaleyra-api.md#<anchor>` in emulator/ names
// an anchor the document has. Run: node --test test/emulator/
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const DOC = 'docs/kaleyra-api.md';

// GitHub's heading ids: lower case, punctuation but '-' and '_' dropped, spaces to '-'.
const slug = (heading) =>
	heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');

/** The anchors a Markdown text defines: `<a id="...">` and its headings' ids. */
function anchorsOf(markdown) {
	const anchors = new Set();
	for (const [, id] of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id);
	for (const [, heading] of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) anchors.add(slug(heading));
	return anchors;
}

const POINTER = /docs\/kaleyra-api\.md#([A-Za-z0-9_-]+)/g;
const ASSUMED_WITH_POINTER = /ASSUMED \(docs\/kaleyra-api\.md#[A-Za-z0-9_-]+/;

/** `file:line: why` for each ASSUMED without a pointer and each pointer to a missing anchor. */
function pointerProblems(files, anchors) {
	const problems = [];
	for (const [file, text] of Object.entries(files)) {
		text.split('\n').forEach((line, index) => {
			const where = `${file}:${index + 1}`;
			for (const at of line.matchAll(/ASSUMED/g)) {
				if (!ASSUMED_WITH_POINTER.test(line.slice(at.index))) {
					problems.push(`${where}: ASSUMED without (${DOC}#anchor)`);
				}
			}
			for (const [, anchor] of line.matchAll(POINTER)) {
				if (!anchors.has(anchor)) problems.push(`${where}: no #${anchor} in ${DOC}`);
			}
		});
	}
	return problems;
}

const emulatorFiles = () =>
	Object.fromEntries(
		readdirSync(new URL('emulator/', root))
			.filter((name) => name.endsWith('.mjs'))
			.map((name) => [`emulator/${name}`, readFileSync(new URL(`emulator/${name}`, root), 'utf8')]),
	);

test(`every ASSUMED in emulator/ points at an anchor that exists in ${DOC}`, () => {
	const anchors = anchorsOf(readFileSync(new URL(DOC, root), 'utf8'));
	const files = emulatorFiles();
	assert.ok(Object.keys(files).length >= 10, 'the emulator files were read');
	const assumed =
		Object.values(files)
			.join('\n')
			.match(/ASSUMED/g) ?? [];
	assert.ok(assumed.length >= 20, `the emulator's assumptions were found (${assumed.length})`);
	assert.deepEqual(pointerProblems(files, anchors), []);
});

test('the check catches a bare ASSUMED, a pointer elsewhere on the line, and a missing anchor', () => {
	const anchors = anchorsOf('# Title\n<a id="details-path"></a>\n## Health fields\n');
	assert.deepEqual([...anchors].sort(), ['details-path', 'health-fields', 'title']);
	assert.deepEqual(
		pointerProblems(
			{
				'a.mjs': [
					'// ASSUMED (docs/kaleyra-api.md#details-path): fine',
					'// ASSUMED (docs/kaleyra-api.md#health-fields): fine too',
					'// ASSUMED: no pointer',
					'// ASSUMED, see docs/kaleyra-api.md#details-path',
					'// ASSUMED (docs/kaleyra-api.md#nowhere): gone',
					'// docs/kaleyra-api.md#also-nowhere',
				].join('\n'),
			},
			anchors,
		),
		[
			'a.mjs:3: ASSUMED without (docs/kaleyra-api.md#anchor)',
			'a.mjs:4: ASSUMED without (docs/kaleyra-api.md#anchor)',
			'a.mjs:5: no #nowhere in docs/kaleyra-api.md',
			'a.mjs:6: no #also-nowhere in docs/kaleyra-api.md',
		],
	);
});
