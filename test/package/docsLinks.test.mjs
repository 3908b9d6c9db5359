// Every relative link of the docs leads somewhere: the file (or folder) exists, and an `#anchor`
// names a heading of that page as GitHub slugs it. The README is what npm and n8n show, and most
// of it now points into docs/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { anchors, linkTargets, slug } from '../helpers/markdown.mjs';
import { projectRoot } from '../run.mjs';

function pages() {
	const top = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md'];
	const docs = fs
		.readdirSync(path.join(projectRoot, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.map((name) => `docs/${name}`);
	const examples = fs
		.readdirSync(path.join(projectRoot, 'examples'), { recursive: true })
		.filter((name) => path.basename(name) === 'README.md')
		.map((name) => path.join('examples', name));
	return [...top, ...docs, ...examples].filter((page) =>
		fs.existsSync(path.join(projectRoot, page)),
	);
}

const read = (page) => fs.readFileSync(path.join(projectRoot, page), 'utf8');

/** What is wrong with one link of `page`, or undefined when it leads where it says. */
function brokenLink(page, target) {
	if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:: not ours to check
	const [rawPath, anchor] = target.split('#', 2);
	const file = rawPath
		? path.relative(
				projectRoot,
				path.resolve(path.dirname(path.join(projectRoot, page)), decodeURI(rawPath)),
			)
		: page;
	if (file.startsWith('..')) return `${target} leaves the repository`;
	if (!fs.existsSync(path.join(projectRoot, file))) return `${target}: no ${file}`;
	if (anchor === undefined) return undefined;
	if (!file.endsWith('.md')) return `${target}: an anchor into a file that is not Markdown`;
	return anchors(read(file)).has(anchor)
		? undefined
		: `${target}: no heading #${anchor} in ${file}`;
}

describe('The docs', () => {
	const checked = pages();

	it('are found: the README, SECURITY, CHANGELOG and docs/', () => {
		for (const page of ['README.md', 'SECURITY.md', 'CHANGELOG.md', 'docs/operations.md'])
			assert.ok(checked.includes(page), `${page} is not checked`);
	});

	for (const page of checked) {
		it(`${page}: every relative link and anchor leads to a file and a heading`, () => {
			const broken = linkTargets(read(page))
				.map((target) => brokenLink(page, target))
				.filter(Boolean);
			assert.deepEqual(broken, []);
		});
	}

	it('are linked from the README, each page of docs/', () => {
		const linked = new Set(
			linkTargets(read('README.md'))
				.map((target) => target.split('#')[0])
				.filter((target) => target.startsWith('docs/')),
		);
		const missing = checked.filter((page) => page.startsWith('docs/') && !linked.has(page));
		assert.deepEqual(missing, []);
	});

	it("have the README anchors n8n's docs links point at (the nodes' codex, the credential)", () => {
		const { homepage } = JSON.parse(read('package.json'));
		const repository = homepage.replace(/#.*$/, '');
		const sources = [
			...fs
				.readdirSync(path.join(projectRoot, 'nodes'), { recursive: true })
				.filter((file) => file.endsWith('.node.json'))
				.map((file) => path.join('nodes', file)),
			...fs
				.readdirSync(path.join(projectRoot, 'credentials'))
				.map((file) => path.join('credentials', file)),
		];
		const readmeAnchors = anchors(read('README.md'));
		const linked = sources.flatMap((file) =>
			[...read(file).matchAll(new RegExp(`${repository}#([\\w-]+)`, 'g'))].map((match) => [
				file,
				match[1],
			]),
		);
		assert.ok(linked.length >= 3, `found only ${linked.length} links into the README`);
		const broken = linked.filter(([, anchor]) => anchor !== 'readme' && !readmeAnchors.has(anchor));
		assert.deepEqual(broken, []);
	});
});

describe("GitHub's heading anchors", () => {
	it('are slugged as GitHub does', () => {
		assert.equal(slug('Try it in 5 minutes'), 'try-it-in-5-minutes');
		assert.equal(slug("n8n's node settings"), 'n8ns-node-settings');
		assert.equal(
			slug('Node 20, Node 24 and the `EBADENGINE` warning'),
			'node-20-node-24-and-the-ebadengine-warning',
		);
		assert.equal(slug('Bulk runs — and **the** [benchmark](x.md)'), 'bulk-runs--and-the-benchmark');
		assert.equal(slug('Get Many Numbers: paging'), 'get-many-numbers-paging');
	});

	it('number repeated headings -1, -2', () => {
		assert.deepEqual(
			[...anchors('# A\n## A\n```\n# not a heading\n```\n### A\n')],
			['a', 'a-1', 'a-2'],
		);
	});
});
