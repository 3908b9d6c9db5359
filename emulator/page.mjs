// GET /__emulator/: a page for a person (the sandbox user) that shows the OTP messages,
// newest first, as the phone would show them, each number with the values list and details
// answer now, and the dialect. One self-contained HTML document: no script, no external
// asset; it reloads itself every few seconds.
import { dialectText } from './dialect.mjs';
import { otpText } from './state.mjs';

const RELOAD_SECONDS = 3;

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Names come from the API (add's `name`): everything shown is escaped.
const escape = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);

const time = (ms) =>
	new Date(ms)
		.toISOString()
		.replace('T', ' ')
		.replace(/\.\d+Z$/, ' UTC');

function numberRows(numbers) {
	return Object.entries(numbers)
		.map(
			([id, n]) =>
				`<tr><td>${escape(n.phoneNumber)}</td><td>${escape(n.name)}</td><td>${escape(id)}</td>` +
				`<td>${escape(n.wabaId)}</td><td class="${escape(n.state)}">${escape(n.status)}` +
				`${n.state === 'unavailable' ? ' (unavailable)' : ''}</td><td>${escape(n.nameStatus)}</td>` +
				`<td>${escape(n.qualityRating)}</td><td>${escape(n.limit ?? 'none')}</td>` +
				`<td>${escape(n.otpSentCount)}</td></tr>`,
		)
		.join('\n');
}

function otpItems(otps) {
	if (otps.length === 0)
		return '<p class="none">No OTP sent yet. Add a number or ask for a new code.</p>';
	const items = [...otps]
		.reverse()
		.map(
			(m) =>
				`<li><div class="meta">${escape(m.channel === 'VOICE' ? 'Voice call' : 'SMS')} to ` +
				`<b>${escape(m.phoneNumber)}</b> · ${escape(time(m.sentAt))} · ${escape(m.reason)}</div>` +
				`<div class="bubble" title="${escape(otpText(m))}">Your WhatsApp code is ` +
				`<b class="otp">${escape(m.otp)}</b></div></li>`,
		);
	return `<ol class="otps">\n${items.join('\n')}\n</ol>`;
}

/** The whole page for a numbers() snapshot, the otps() list and the current dialect. */
export function renderPage({ numbers, otps, dialect }) {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${RELOAD_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kaleyra emulator: numbers and OTPs</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; background: #f4f4f4; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
td.approved { color: #0a7a2f; font-weight: bold; } td.pending, td.unavailable { color: #9a6400; }
ol.otps { list-style: none; padding: 0; max-width: 32rem; }
ol.otps li { margin: .6rem 0; }
.meta { font-size: .8rem; color: #555; }
.bubble { display: inline-block; background: #dcf8c6; border-radius: .8rem; padding: .5rem .8rem; margin-top: .2rem; }
.otp { font-family: ui-monospace, monospace; font-size: 1.2rem; letter-spacing: .15rem; }
.none { color: #555; }
</style>
</head>
<body>
<h1>Kaleyra emulator</h1>
<p>Not Kaleyra: a local stand-in. Nothing here was really sent. This page reloads every ${RELOAD_SECONDS} s.</p>
<h2>Messages, newest first</h2>
${otpItems(otps)}
<h2>Numbers</h2>
<table>
<thead><tr><th>phone number</th><th>name</th><th>phone number id</th><th>WABA id</th><th>status</th><th>name status</th><th>quality rating</th><th>messaging limit</th><th>OTPs sent</th></tr></thead>
<tbody>
${numberRows(numbers)}
</tbody>
</table>
<h2>Dialect</h2>
<p>How this emulator answers where Kaleyra's pages leave it open:</p>
<p class="dialect"><code>${escape(dialectText(dialect))}</code></p>
</body>
</html>
`;
}
