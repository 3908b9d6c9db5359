// A person filling in an n8n form, over plain HTTP, doing what the form's own page script does
// in a browser (n8n's templates form-trigger.handlebars and form-trigger-completion.handlebars,
// the same steps in n8n 1.123 and 2.41):
//
//   1. GET  /form/<path>                 the Form Trigger's page
//   2. POST /form/<path>                 multipart, one `field-<i>` per field. A form with more
//                                        pages answers {"formWaitingUrl": ".../form-waiting/<execution id>"}
//                                        (n8n 2.x adds `?signature=<token>`, which every later
//                                        request must carry)
//   3. GET  <formWaitingUrl>/n8n-execution-status   until it is no longer "running":
//                                        "form-waiting" means the next page is ready
//   4. GET  <formWaitingUrl>             the next page: another form (back to 2, POSTing to
//                                        this URL) or a Form Ending page
//   5. a Form Ending page POSTs an empty body to <formWaitingUrl> as soon as it loads, which
//      lets the execution finish; the status then reads "success".
import assert from 'node:assert/strict';

const POLL_MS = 250;
const FINISHED = ['success', 'error', 'canceled', 'crashed'];
const WAIT_MS = 60_000;

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const decode = (text) =>
	text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name) => {
		if (name[0] === '#')
			return String.fromCodePoint(
				name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1)),
			);
		return ENTITIES[name.toLowerCase()] ?? whole;
	});

/** What a person sees of an HTML page: no script, style or svg, tags gone, one space per gap. */
export function visibleText(html) {
	return decode(
		html
			.replace(/<(script|style|svg)\b[\s\S]*?<\/\1>/gi, ' ')
			.replace(/<br\s*\/?>/gi, '\n')
			.replace(/<[^>]+>/g, ' '),
	)
		.replace(/[ \t\r\f\v]+/g, ' ')
		.replace(/\s*\n\s*/g, '\n')
		.trim();
}

function parsePage(url, html) {
	const fields = [
		...html.matchAll(/<label\b[^>]*\bfor=['"](field-\d+)['"][^>]*>([\s\S]*?)<\/label>/g),
	].map(([, id, label]) => ({ id, label: visibleText(label) }));
	// A page with fields is a form; a Form Ending page has a heading and a message only.
	const heading = visibleText(html.match(/<h1\b[^>]*>([\s\S]*?)<\/h1>/)?.[1] ?? '');
	return {
		url,
		html,
		kind: fields.length > 0 ? 'form' : 'ending',
		heading,
		text: visibleText(html),
		fields,
	};
}

async function get(url, headers) {
	const res = await fetch(url, { headers });
	const html = await res.text();
	assert.equal(res.status, 200, `GET ${url}: HTTP ${res.status}\n${html.slice(0, 2000)}`);
	return html;
}

/**
 * The execution's status as the page polls it, once it says something the page acts on: the
 * next page is ready ("form-waiting"), or the run is over. Anything else ("running", "new",
 * and a bare "waiting" n8n 1.x can answer for a moment before the Form node it waits in is
 * saved), the page's script polls again, and so does this.
 */
const ACTED_ON = ['form-waiting', 'success', 'error', 'canceled', 'crashed', 'null'];
async function settledStatus(waitingUrl, { until = (s) => ACTED_ON.includes(s) } = {}) {
	const statusUrl = new URL(waitingUrl);
	statusUrl.pathname += '/n8n-execution-status';
	const deadline = Date.now() + WAIT_MS;
	let status;
	while (Date.now() < deadline) {
		status = (await (await fetch(statusUrl)).text()).trim();
		if (until(status)) return status;
		await new Promise((resolve) => setTimeout(resolve, POLL_MS));
	}
	throw new Error(`${statusUrl}: still "${status}" after ${WAIT_MS} ms`);
}

/**
 * One person's pass through a form. `open(url)` loads the first page; `submit(page, answers)`
 * fills it in (answers keyed by the fields' labels, every field required) and returns the page
 * that follows. `pages` keeps every page seen, `executionId` the run the form started.
 * `login` ({ user, password }): the form's Basic Auth, sent as a browser does once asked.
 */
export function formUser({ login } = {}) {
	const user = { pages: [], executionId: undefined, finalStatus: undefined };
	const headers = login
		? {
				authorization: `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}`,
			}
		: {};

	async function show(url) {
		const page = parsePage(url, await get(url, headers));
		user.pages.push(page);
		if (page.kind === 'ending') {
			// The Form Ending page's script: an empty POST resumes the run so it can finish.
			const res = await fetch(url, { method: 'POST', headers });
			await res.text();
			assert.equal(res.status, 200, `POST ${url} (Form Ending): HTTP ${res.status}`);
			user.finalStatus = await settledStatus(url, { until: (s) => FINISHED.includes(s) });
		}
		return page;
	}

	user.open = (url) => show(url);

	user.submit = async (page, answers) => {
		assert.equal(page.kind, 'form', `"${page.heading}" is not a form: ${page.text}`);
		assert.deepEqual(
			page.fields.map((f) => f.label).sort(),
			Object.keys(answers).sort(),
			`the fields of "${page.heading}"`,
		);
		const body = new FormData();
		for (const field of page.fields) body.append(field.id, answers[field.label]);
		const res = await fetch(page.url, { method: 'POST', body, headers });
		const text = await res.text();
		assert.equal(res.status, 200, `POST ${page.url}: HTTP ${res.status} ${text.slice(0, 500)}`);
		const { formWaitingUrl } = JSON.parse(text);
		assert.ok(formWaitingUrl, `POST ${page.url} named no next page: ${text.slice(0, 500)}`);
		const id = new URL(formWaitingUrl).pathname.match(/\/form-waiting\/([^/]+)$/)?.[1];
		assert.ok(id, `no execution id in ${formWaitingUrl}`);
		if (user.executionId !== undefined) assert.equal(id, user.executionId, 'the same run goes on');
		user.executionId = id;
		const status = await settledStatus(formWaitingUrl);
		assert.equal(
			status,
			'form-waiting',
			`after "${page.heading}" the run is "${status}", not at a page`,
		);
		return await show(formWaitingUrl);
	};

	return user;
}
