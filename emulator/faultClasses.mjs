// The one classification of the faults: what each does at the server, and what a client can
// know of it from what it gets back. The emulator reads `server` (which faults answer before
// processing); the property tests read both to judge whether a repeat was allowed.
//
// server:
//   'untouched'  answered before processing: nothing changed (no number added, no verify, no code).
//   'processed'  answered after processing: the add, verify or OTP resend took effect and only
//                the answer is faulty, the worst case a client has to survive.
// client, in the node's delivery classes (nodes/…/results/deliveryClass.ts):
//   'safe'       the answer itself proves the request was not acted on and asks for it again:
//                only Kaleyra's own envelope can ("Please try again later").
//   'uncertain'  nothing tells whether the request reached Kaleyra: no whole answer came back
//                (a reset, a hang, a body cut short, too large, endless or not decompressible),
//                or a gateway answered in Kaleyra's place (a 429 or 5xx without Kaleyra's JSON),
//                which a gateway such as Envoy or Varnish may do after forwarding the request.
//   'final'      a whole answer that a repeat would not change: a redirect, Kaleyra's own
//                error, a 200 whose body is not Kaleyra's JSON, an echo.
// A client cannot tell the emulator's `http503` (untouched) from `forwarded503` (processed):
// that is the point of classing both 'uncertain'.
//
// code: the Kaleyra code in the body, for faults that answer Kaleyra's envelope.
// echoesRequest: the body repeats the request, api-key header and OTP included.
import { RESPONSES } from './responses.mjs';

const untouched = (client, extra = {}) => Object.freeze({ server: 'untouched', client, ...extra });
const processed = (client, extra = {}) => Object.freeze({ server: 'processed', client, ...extra });

export const FAULT_CLASSES = Object.freeze({
	http429: untouched('uncertain'),
	http429RetryAfter: untouched('uncertain'),
	http500: untouched('uncertain'),
	http503: untouched('uncertain'),
	wa500TryLater: untouched('safe', { code: 'WA500' }),
	html: untouched('uncertain'),
	redirect301: untouched('final'),
	redirect302: untouched('final'),
	redirect303: untouched('final'),
	redirect307: untouched('final'),
	redirect308: untouched('final'),
	wa500Late: untouched('final', { code: 'WA500' }),
	reset: processed('uncertain'),
	hang: processed('uncertain'),
	malformedJson: processed('final'),
	empty: processed('final'),
	tooLarge: processed('uncertain'),
	trickle: processed('uncertain'),
	endless: processed('uncertain'),
	oversized: processed('uncertain'),
	gzipBomb: processed('uncertain'),
	gzipCorrupt: processed('uncertain'),
	midBodyReset: processed('uncertain'),
	forwarded503: processed('uncertain'),
	echoError: processed('final', { code: 'WA400', echoesRequest: true }),
	echoSuccess: processed('final', { code: 'WA200', echoesRequest: true }),
});

const SCRIPTED = 'answer:';

/**
 * The class of a fault kind, `answer:<name>` included: one of Kaleyra's own bodies, handed out
 * unprocessed, which only says "try again" when it is the documented "Please try again later".
 */
export function faultClass(kind) {
	if (Object.hasOwn(FAULT_CLASSES, kind)) return FAULT_CLASSES[kind];
	const scripted = kind.startsWith(SCRIPTED) ? RESPONSES[kind.slice(SCRIPTED.length)] : undefined;
	if (!scripted) throw new TypeError(`unknown fault kind ${JSON.stringify(kind)}`);
	const { code, message } = scripted.body;
	const tryLater = code === 'WA500' && /try again later/i.test(message);
	return untouched(tryLater ? 'safe' : 'final', { code });
}
