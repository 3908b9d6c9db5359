// The docs' tables of operations, parameters and options list what the built node has: every
// operation of the registry and every field of its panel, none missing and none extra. A new
// operation or parameter that the docs forget fails here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { NODE_TYPE, PACKAGE_DIR, nodeTypes } from '../helpers/engine.mjs';
import { tableAfter } from '../helpers/markdown.mjs';

const require = createRequire(import.meta.url);
const { OPERATIONS } = require(
	`${PACKAGE_DIR}/dist/nodes/KaleyraWhatsAppNumber/actions/registry.js`,
);
const { description } = nodeTypes.getByName(NODE_TYPE);
const read = (page) => fs.readFileSync(`${PACKAGE_DIR}/${page}`, 'utf8');

const NAMES = OPERATIONS.map(({ option }) => option.name).sort();

/** The panel's fields of one operation (notices aside), as n8n loaded them. */
function fieldsOf(value) {
	return description.properties.filter(
		(property) =>
			property.type !== 'notice' && property.displayOptions?.show?.operation?.includes(value),
	);
}

/** Operation names a table cell lists: "all", "all but A", or the names it contains. */
function operationsIn(cell) {
	const named = NAMES.filter((name) => cell.includes(name));
	if (/^all but /.test(cell)) return NAMES.filter((name) => !named.includes(name));
	if (cell === 'all') return NAMES;
	return named;
}

/** "Add Number (`addNumber`)" → ['Add Number', 'addNumber']. */
function nameAndKey(cell) {
	const match = cell.match(/^(.+?) \(`(\w+)`\)$/);
	assert.ok(match, `"${cell}" is not "Name (\`key\`)"`);
	return [match[1], match[2]];
}

const sorted = (list) => [...list].sort();

describe("The README's operations", () => {
	const [, ...rows] = tableAfter(read('README.md'), 'Operations');

	it("are the registry's, each once", () => {
		assert.deepEqual(sorted(rows.map(([name]) => name)), NAMES);
	});

	it("list each operation's parameters by the names the panel shows, none extra", () => {
		for (const [name, , parameters] of rows) {
			const { option } = OPERATIONS.find((operation) => operation.option.name === name);
			assert.deepEqual(
				sorted(parameters.split(', ')),
				sorted(fieldsOf(option.value).map((field) => field.displayName)),
				name,
			);
		}
	});
});

describe('docs/operations.md', () => {
	const page = read('docs/operations.md');

	it('lists each operation of the registry with the value n8n stores', () => {
		const [, ...rows] = tableAfter(page, 'Operations');
		assert.deepEqual(
			sorted(rows.map(([cell]) => nameAndKey(cell).join(' '))),
			sorted(OPERATIONS.map(({ option }) => `${option.name} ${option.value}`)),
		);
	});

	it('lists each parameter once, with the operations that show it', () => {
		const [, ...rows] = tableAfter(page, 'Parameters');
		const documented = rows.map(([cell, operations]) => {
			const [displayName, key] = nameAndKey(cell);
			return { displayName, key, operations: sorted(operationsIn(operations)) };
		});
		const actual = new Map();
		for (const { option } of OPERATIONS) {
			for (const field of fieldsOf(option.value)) {
				const entry = actual.get(field.name) ?? {
					displayName: field.displayName,
					key: field.name,
					operations: [],
				};
				entry.operations = sorted([...entry.operations, option.name]);
				actual.set(field.name, entry);
			}
		}
		const byKey = (a, b) => a.key.localeCompare(b.key);
		assert.deepEqual(documented.sort(byKey), [...actual.values()].sort(byKey));
	});

	it('lists every option of the Options collection, none extra', () => {
		const [, ...rows] = tableAfter(page, 'Options');
		const options = description.properties.find((property) => property.name === 'options');
		assert.deepEqual(
			sorted(rows.map(([name]) => name)),
			sorted(options.options.map((option) => option.displayName)),
		);
	});
});

describe('docs/ai-agent.md', () => {
	it("shows each tool's description as n8n makes it from the operation's action", () => {
		const [, ...rows] = tableAfter(read('docs/ai-agent.md'), "Where the model's view comes from");
		assert.deepEqual(
			sorted(rows.map(([tool, said]) => `${tool}: ${said}`)),
			sorted(
				OPERATIONS.map(
					({ option }) => `${option.name}: ${option.action} in ${description.defaults.name}`,
				),
			),
		);
	});
});

describe('The trigger in the docs', () => {
	const trigger = nodeTypes.getByName(`${NODE_TYPE}Trigger`).description;
	const property = (name) => trigger.properties.find((candidate) => candidate.name === name);
	const events = property('events').options.map((option) => option.name);

	/** The text of a page's section, from its heading to the next of the same level. */
	function section(page, heading) {
		const start = page.indexOf(`\n${heading}\n`);
		assert.ok(start >= 0, `no "${heading}"`);
		const level = heading.split(' ')[0];
		const end = page.indexOf(`\n${level} `, start + heading.length + 2);
		return page.slice(start, end < 0 ? undefined : end).replace(/\s+/g, ' ');
	}

	it("README: lists the trigger's events, none extra", () => {
		const text = section(read('README.md'), '## Kaleyra WhatsApp Number Trigger');
		const listed = text.match(/one item per change: ([^.]+)\./);
		assert.ok(listed, 'no "one item per change: …."');
		assert.deepEqual(sorted(listed[1].split(', ')), sorted(events));
	});

	it('docs/operations.md: names every event and option of the trigger', () => {
		const text = section(read('docs/operations.md'), '## Kaleyra WhatsApp Number Trigger');
		const options = property('options').options.map((option) => option.displayName);
		for (const name of [...events, ...options].map((label) => label.replace(/ \(Ms\)$/, '')))
			assert.ok(text.includes(name), `${name} is not in the trigger's section`);
	});
});
