// The end of an e2e file that ran `n8n start`: stop it, check that its output never held the
// API key, then close what else the file started, also when that check fails.
import assert from 'node:assert/strict';
import { DEFAULT_ACCOUNT } from '../../../emulator/fixtures.mjs';

/** @param {{ stop(): Promise<void>, output(): string } | undefined} server */
export async function stopN8nAndClose(server, ...closers) {
	try {
		await server?.stop();
		if (server)
			assert.ok(
				!server.output().includes(DEFAULT_ACCOUNT.apiKey),
				'the API key appears in n8n start output',
			);
	} finally {
		for (const close of closers) await close();
	}
}
