// A page to watch the test mail system by hand: every mailbox with its messages (newest first,
// refreshed every 3 s), and a form to drop a mail into one, as a person writing to the workflow.
// `node e2e/mail/tools/mailPage.mjs [--port N]` starts a mail system and this page on its own.
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startMailServer } from './mailServer.mjs';

const escapeHtml = (value) =>
	String(value ?? '').replace(
		/[&<>"']/g,
		(char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char],
	);

const shellQuote = (text) => `'${String(text).replace(/'/g, `'\\''`)}'`;

/** The command that drops one mail in from a shell, as the page shows it. */
export function sendCommand(mail, { from, to, subject, text }) {
	return [
		'node e2e/mail/tools/send.mjs',
		`--lmtp-port ${mail.lmtpPort}`,
		`--from ${shellQuote(from)}`,
		`--to ${shellQuote(to)}`,
		`--subject ${shellQuote(subject)}`,
		`--text ${shellQuote(text)}`,
	].join(' ');
}

async function mailboxesHtml(mail) {
	const names = mail.mailboxes();
	if (names.length === 0) return '<p>No mailbox yet: nothing was delivered.</p>';
	const sections = await Promise.all(
		names.map(async (name) => {
			let entries;
			try {
				entries = await mail.inbox(name);
			} catch (error) {
				return `<section><h2>${escapeHtml(mail.address(name))}</h2><p class="error">${escapeHtml(error.message)}</p></section>`;
			}
			const rows = entries
				.slice()
				.reverse()
				.map(({ flags, message }) => {
					const seen = flags.includes('\\Seen');
					const reply = new URLSearchParams({
						from: message.toAddresses[0] ?? mail.address(name),
						to: message.fromAddress ?? '',
						subject: /^re:/i.test(message.subject) ? message.subject : `Re: ${message.subject}`,
						inReplyTo: message.messageId ?? '',
						// As a mail client starts a reply: room for the answer above the quoted mail.
						text: `\n\nOn ${message.date?.toUTCString() ?? 'an earlier day'}, ${message.fromAddress ?? ''} wrote:\n${message.text
							.split('\n')
							.map((line) => `> ${line}`)
							.join('\n')}`,
					});
					return `<article class="${seen ? 'seen' : 'unseen'}">
<div class="meta"><b>${escapeHtml(message.subject || '(no subject)')}</b>
<span>${seen ? 'Seen' : 'Unseen'}</span></div>
<div class="meta">from ${escapeHtml(message.from)} to ${escapeHtml(message.to)}
· ${escapeHtml(message.date?.toISOString() ?? '')} · <a href="/?${escapeHtml(reply)}">reply</a></div>
<pre>${escapeHtml(message.text)}</pre>
</article>`;
				})
				.join('\n');
			return `<section><h2>${escapeHtml(mail.address(name))} (${entries.length})</h2>${rows || '<p>Empty.</p>'}</section>`;
		}),
	);
	return sections.join('\n');
}

async function pageHtml(mail, query) {
	const field = (name, fallback = '') => escapeHtml(query.get(name) ?? fallback);
	const example = sendCommand(mail, {
		from: 'someone@people.test',
		to: mail.address('onboarding'),
		subject: 'Hello',
		text: 'Hi there',
	});
	return `<!doctype html>
<html><head><meta charset="utf-8"><title>Test mail</title>
<style>
body { font-family: sans-serif; margin: 1.5em; max-width: 60em; }
form { display: grid; grid-template-columns: 8em 1fr; gap: .4em; margin-bottom: 1em; }
input, textarea { font: inherit; }
article { border-left: 4px solid #2a7; padding: .3em .8em; margin: .6em 0; background: #f6f6f6; }
article.seen { border-color: #bbb; }
.meta { font-size: .9em; color: #444; }
.meta span { float: right; }
pre { white-space: pre-wrap; margin: .4em 0; }
code { background: #eee; padding: .2em; word-break: break-all; }
.error { color: #b00; }
</style></head>
<body>
<h1>Test mail (${escapeHtml(mail.domain)})</h1>
<p>IMAP ${escapeHtml(mail.host)}:${mail.imapPort} · SMTP ${escapeHtml(mail.host)}:${mail.smtpPort}
· LMTP ${escapeHtml(mail.host)}:${mail.lmtpPort} · no TLS · any user name, and the password
printed where the mail system was started (not here: any page could read it)</p>
${query.get('sent') ? `<p>Delivered ${escapeHtml(query.get('sent'))}.</p>` : ''}
<form method="post" action="/send">
<label for="from">From</label><input id="from" name="from" value="${field('from', 'someone@people.test')}" required>
<label for="to">To</label><input id="to" name="to" value="${field('to', mail.address('onboarding'))}" required>
<label for="subject">Subject</label><input id="subject" name="subject" value="${field('subject')}">
<label for="inReplyTo">In-Reply-To</label><input id="inReplyTo" name="inReplyTo" value="${field('inReplyTo')}" placeholder="optional Message-ID">
<label for="text">Text</label><textarea id="text" name="text" rows="5">${field('text')}</textarea>
<span></span><button type="submit">Deliver</button>
</form>
<p>From a shell: <code>${escapeHtml(example)}</code></p>
<div id="mailboxes">${await mailboxesHtml(mail)}</div>
<script>
// The mailboxes only, so what is typed in the form stays.
setInterval(async () => {
	const res = await fetch('/mailboxes');
	if (res.ok) document.getElementById('mailboxes').innerHTML = await res.text();
}, 3000);
</script>
</body></html>`;
}

async function readBody(req, limit = 1024 * 1024) {
	const chunks = [];
	let size = 0;
	for await (const chunk of req) {
		size += chunk.length;
		if (size > limit) throw new Error('request body too large');
		chunks.push(chunk);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/**
 * Why a request must not be answered, or null. The page shows every mail (codes included) and
 * drops mail in, so it answers only at its own address: a DNS-rebinding page reaches it under a
 * name of its own (`Host`), and a form post must come from the page itself (`Origin`, which
 * every browser sends with a POST; a POST without one is not the page's form).
 */
function refusal(req, ownOrigin) {
	if (`http://${req.headers.host}` !== ownOrigin) return `this page answers at ${ownOrigin} only`;
	if (req.method !== 'POST') return null;
	const origin = req.headers.origin;
	if (origin === undefined) return 'a post without Origin refused: use the form on the page';
	if (origin !== ownOrigin) return `cross-site post refused (Origin ${origin})`;
	return null;
}

/**
 * @param {{ mail: Awaited<ReturnType<typeof startMailServer>>, port?: number }} opts
 * @returns {Promise<{ url: string, stop(): Promise<void> }>}
 */
export async function startMailPage({ mail, port = 0 }) {
	let ownOrigin = '';
	const server = http.createServer(async (req, res) => {
		const url = new URL(req.url, 'http://localhost');
		const send = (status, body, type = 'text/html; charset=utf-8') => {
			res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
			res.end(body);
		};
		const refused = refusal(req, ownOrigin);
		if (refused) {
			send(403, refused, 'text/plain; charset=utf-8');
			return;
		}
		try {
			if (req.method === 'GET' && url.pathname === '/') {
				send(200, await pageHtml(mail, url.searchParams));
			} else if (req.method === 'GET' && url.pathname === '/mailboxes') {
				send(200, await mailboxesHtml(mail));
			} else if (req.method === 'POST' && url.pathname === '/send') {
				const form = new URLSearchParams(await readBody(req));
				const { messageId } = await mail.deliver({
					from: form.get('from') ?? '',
					to: (form.get('to') ?? '')
						.split(',')
						.map((to) => to.trim())
						.filter(Boolean),
					subject: form.get('subject') ?? '',
					text: form.get('text') ?? '',
					inReplyTo: form.get('inReplyTo')?.trim() || undefined,
				});
				// Back to the page, the same sender and recipient filled in for the next one.
				const back = new URLSearchParams({
					sent: messageId,
					from: form.get('from') ?? '',
					to: form.get('to') ?? '',
				});
				res.writeHead(303, { location: `/?${back}` });
				res.end();
			} else {
				send(404, 'not found', 'text/plain; charset=utf-8');
			}
		} catch (error) {
			send(
				500,
				`<!doctype html><meta charset="utf-8"><p class="error">${escapeHtml(error.message)}</p><p><a href="/">back</a></p>`,
			);
		}
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	ownOrigin = `http://127.0.0.1:${server.address().port}`;
	return {
		url: `${ownOrigin}/`,
		stop: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

// `node e2e/mail/tools/mailPage.mjs [--port N]`: a mail system and its page, until Ctrl-C.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
	const mail = await startMailServer();
	const page = await startMailPage({ mail, port: Number(values.port) });
	console.log(`[mail] page ${page.url}`);
	console.log(
		`[mail] IMAP ${mail.host}:${mail.imapPort}, SMTP ${mail.host}:${mail.smtpPort}, any user, password ${mail.password}`,
	);
	console.log(
		`[mail] ${sendCommand(mail, { from: 'someone@people.test', to: mail.address('onboarding'), subject: 'Hello', text: 'Hi there' })}`,
	);
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.once(signal, async () => {
			await page.stop();
			await mail.stop();
			process.exit(0);
		});
	}
}
