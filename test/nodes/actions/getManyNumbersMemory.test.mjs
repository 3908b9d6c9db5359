// Memory stays bounded: 8 input items of Get Many Numbers against a hostile 1 MiB list (half a
// million entries) grow the process by far less than 300 MiB. Measured in a child process, from
// its resident size before the run to its peak (maxRSS), so other tests cannot blur it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const CHILD = 'KALEYRA_LIST_MEMORY_CHILD';
const MiB = 1024 * 1024;

if (process.env[CHILD]) {
	const { runKaleyraNode } = await import('../../helpers/engine.mjs');
	const { MAPPED_PARAMETERS, WABA_ID, credentialsFor } = await import('../../helpers/kaleyra.mjs');
	const body = `{"code":"WA200","message":"ok","data":[${'0,'.repeat(524_000)}0],"error":{}}`;
	const server = createServer((req, res) => {
		res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
		res.end(body);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const credentials = credentialsFor({ url: `http://127.0.0.1:${server.address().port}` });
	const run = (returnAll, count) =>
		runKaleyraNode({
			parameters: { ...MAPPED_PARAMETERS.getManyNumbers, returnAll },
			items: Array.from({ length: count }, () => ({ json: { wabaId: WABA_ID } })),
			credentials,
		});
	await run(false, 1); // loads the engine and the package
	const before = process.memoryUsage().rss;
	const limited = await run(false, 8);
	const all = await run(true, 8);
	const peak = process.resourceUsage().maxRSS * 1024;
	server.close();
	process.stdout.write(
		`${JSON.stringify({
			growth: peak - before,
			limited: [limited.success.length, limited.failed.length],
			all: [all.success.length, all.failed.length],
		})}\n`,
	);
} else {
	describe('Get Many Numbers: memory', () => {
		it('8 inputs against a hostile 1 MiB list grow the process by well under 300 MiB', () => {
			const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
				env: { ...process.env, [CHILD]: '1', NODE_TEST_CONTEXT: '' },
				encoding: 'utf8',
				maxBuffer: 16 * MiB,
			});
			const { growth, limited, all } = JSON.parse(output.trim().split('\n').at(-1));
			assert.deepEqual(limited, [8 * 50, 0], 'Limit 50 per input item');
			assert.deepEqual(all, [0, 8], 'Return All: each input item to Error');
			assert.ok(growth < 200 * MiB, `the process grew by ${Math.round(growth / MiB)} MiB`);
		});
	});
}
