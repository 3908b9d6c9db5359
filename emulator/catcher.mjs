// "The catcher": a second loopback server the redirect faults point at. It stands for a host
// the client was never meant to talk to: a client that follows the redirect hands it the
// request (body and api-key included), and it answers the WA200 such a client would take
// for success. It records everything that reaches it so a test can prove nothing did.
import { createServer } from 'node:http';

// Absolute Location = catcher url + this: a path and a query a test can grep for in messages.
export const CATCHER_PATH = '/stolen/path?token=should-not-appear';

const LYING_ANSWER = JSON.stringify({
	code: 'WA200',
	message: 'Request Processed Successfully',
	data: true,
	error: {},
});

/** Starts the catcher on 127.0.0.1 (any free port). Returns { url, requests, close }. */
export async function startCatcher() {
	const requests = []; // same array for the catcher's life; emptied in place by the emulator
	const server = createServer((req, res) => {
		const receivedAt = Date.now();
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			requests.push({
				method: req.method,
				path: req.url,
				headers: req.headers,
				rawBody: Buffer.concat(chunks).toString('utf8'),
				receivedAt,
			});
			res.writeHead(200, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(LYING_ANSWER),
			});
			res.end(LYING_ANSWER);
		});
		req.on('error', () => res.destroy());
	});

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		requests,
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
