// A scripted stand-in for an OpenAI-compatible model, on 127.0.0.1: n8n's OpenAI Chat Model
// (its credential's Base URL pointed here, "Use Responses API" off) posts to
// /v1/chat/completions; each answer comes from the script, in order. Every request is kept as
// received (headers and body), so a test reads what the model was given at each step: the
// tools' names, descriptions and argument schemas, and each tool's answer.
import http from 'node:http';

/**
 * `script`: one function per model call, given the request body and the calls so far; it
 * returns `{ toolCalls: [{ name, args }] }` or `{ text }` (may be async).
 * @returns {Promise<{ url: string, requests: { headers: object, body: any, raw: string }[], stop(): Promise<void> }>}
 */
export async function startModelServer(script) {
	const requests = [];
	let callCount = 0;
	const server = http.createServer(async (req, res) => {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		const raw = Buffer.concat(chunks).toString('utf8');
		if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
			// The Responses API (/v1/responses) included: the workflow must use chat completions.
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: `no ${req.method} ${req.url} here` } }));
			requests.push({ url: req.url, headers: req.headers, body: null, raw });
			return;
		}
		const body = JSON.parse(raw);
		requests.push({ url: req.url, headers: req.headers, body, raw });
		const step = script[callCount];
		callCount += 1;
		let answer;
		try {
			answer = step ? await step(body, requests) : { text: 'Done.' };
		} catch (error) {
			res.writeHead(500, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: `script failed: ${error.message}` } }));
			return;
		}
		const message = {
			role: 'assistant',
			content: answer.text ?? null,
			...(answer.toolCalls && {
				tool_calls: answer.toolCalls.map(({ name, args }, index) => ({
					id: `call_${callCount}_${index}`,
					type: 'function',
					function: { name, arguments: JSON.stringify(args) },
				})),
			}),
		};
		const finish = answer.toolCalls ? 'tool_calls' : 'stop';
		const common = { id: `chatcmpl-${callCount}`, created: 1, model: body.model };
		const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
		if (body.stream) {
			// Server-sent events, one delta holding the whole message, as OpenAI streams it.
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			const delta = {
				...message,
				...(message.tool_calls && {
					tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })),
				}),
			};
			const chunk = (choice) =>
				`data: ${JSON.stringify({ ...common, object: 'chat.completion.chunk', choices: [choice], usage: null })}\n\n`;
			res.write(chunk({ index: 0, delta, finish_reason: null }));
			res.write(chunk({ index: 0, delta: {}, finish_reason: finish }));
			res.end('data: [DONE]\n\n');
			return;
		}
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(
			JSON.stringify({
				...common,
				object: 'chat.completion',
				choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
				usage,
			}),
		);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		stop: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
