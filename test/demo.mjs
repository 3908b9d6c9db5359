// `npm run demo`: starts the Kaleyra emulator on 127.0.0.1 and, in n8n's engine, runs a batch of
// numbers through Verify Number, showing what reached each output; then takes one new number
// through the whole onboarding, step by step.
import { startKaleyraEmulator } from '../emulator/kaleyra-emulator.mjs';
import { DEFAULT_ACCOUNT, NUMBERS } from '../emulator/fixtures.mjs';
import { runKaleyraNode } from './helpers/engine.mjs';

const WABA_ID = DEFAULT_ACCOUNT.wabaIds[0];

// What a form or an email trigger would bring in: one row per number to verify.
const rows = [
	{ note: 'right OTP', phoneNumberId: NUMBERS.pending1.id, phoneNumber: '+91 97654 00001', otp: NUMBERS.pending1.otp },
	{ note: 'OTP with a leading zero', phoneNumberId: NUMBERS.pendingZeroOtp.id, phoneNumber: '0091-97654-00004', otp: NUMBERS.pendingZeroOtp.otp },
	{ note: '17-digit phone number ID', phoneNumberId: NUMBERS.pendingLongId.id, phoneNumber: NUMBERS.pendingLongId.phoneNumber, otp: NUMBERS.pendingLongId.otp },
	{ note: 'already verified', phoneNumberId: NUMBERS.approved.id, phoneNumber: NUMBERS.approved.phoneNumber, otp: NUMBERS.approved.otp },
	{ note: 'wrong OTP', phoneNumberId: NUMBERS.pending2.id, phoneNumber: NUMBERS.pending2.phoneNumber, otp: '999999' },
	{ note: 'OTP too short', phoneNumberId: NUMBERS.pending2.id, phoneNumber: NUMBERS.pending2.phoneNumber, otp: '1234' },
	{ note: 'no country code', phoneNumberId: NUMBERS.pending2.id, phoneNumber: '97654 00002', otp: NUMBERS.pending2.otp },
	{ note: 'Kaleyra busy', phoneNumberId: NUMBERS.unavailable.id, phoneNumber: NUMBERS.unavailable.phoneNumber, otp: NUMBERS.unavailable.otp },
];

const emulator = await startKaleyraEmulator();
try {
	const result = await runKaleyraNode({
		parameters: {
			operation: 'verifyNumber',
			wabaId: WABA_ID,
			phoneNumberId: '={{ $json.phoneNumberId }}',
			phoneNumber: '={{ $json.phoneNumber }}',
			otp: '={{ $json.otp }}',
		},
		items: rows.map((json) => ({ json })),
		credentials: { region: 'custom', baseUrl: emulator.url, sid: DEFAULT_ACCOUNT.sid, apiKey: DEFAULT_ACCOUNT.apiKey },
	});
	if (result.error) throw result.error;

	const noteOf = (item) => rows[item.pairedItem.item].note;
	console.log(`\nKaleyra emulator at ${emulator.url}; ${rows.length} items through Verify Number in n8n's engine.\n`);
	console.log(`Success output (${result.success.length} items)`);
	console.table(
		result.success.map((item) => ({
			input: noteOf(item),
			phoneNumber: item.json.phoneNumber,
			otp: item.json.otp,
			outcome: item.json.outcome,
		})),
	);
	console.log(`Error output (${result.failed.length} items)`);
	console.table(
		result.failed.map((item) => ({
			input: noteOf(item),
			code: item.json.error.code,
			fields: item.json.error.fields.join(', '),
			retryable: item.json.error.retryable,
			hint: item.json.error.hint.length > 70 ? `${item.json.error.hint.slice(0, 69)}…` : item.json.error.hint,
		})),
	);
	console.log(
		`Kaleyra received ${emulator.requests.length} requests: items with bad input were stopped before sending.\n`,
	);
	await onboardOneNumber();
} finally {
	await emulator.close();
}

/** One new number from "added" to "live", as a workflow chains the operations. */
async function onboardOneNumber() {
	const credentials = { region: 'custom', baseUrl: emulator.url, sid: DEFAULT_ACCOUNT.sid, apiKey: DEFAULT_ACCOUNT.apiKey };
	const number = '+919765401234';
	const step = async (parameters) => {
		const result = await runKaleyraNode({ parameters, items: [{ json: {} }], credentials });
		if (result.error) throw result.error;
		return result.success[0]?.json ?? result.failed[0].json;
	};
	const phone = () => emulator.otps().filter((message) => message.phoneNumber === number).at(-1);
	const rows = [];
	const show = (operation, json, extra) =>
		rows.push({ operation, output: json.success ? 'Success' : 'Error', code: json.code ?? json.error.code, ...extra });

	const added = await step({ operation: 'addNumber', wabaId: WABA_ID, phoneNumber: number, countryCode: '91', displayName: 'Acme Travel', typeVerification: 'SMS' });
	show('Add Number', added, { detail: `phoneNumberId ${added.phoneNumberId}; the phone got a code by ${phone().channel}` });
	const ids = { wabaId: WABA_ID, phoneNumberId: added.phoneNumberId, phoneNumber: number };
	const wrong = await step({ operation: 'verifyNumber', ...ids, otp: phone().otp === '111111' ? '222222' : '111111' });
	show('Verify Number', wrong, { detail: `a mistyped code: fields ${wrong.error?.fields.join(', ')}` });
	const resent = await step({ operation: 'retryOtp', ...ids, typeVerification: 'VOICE' });
	show('Retry OTP', resent, { detail: `the phone got a new code by ${phone().channel}` });
	const verified = await step({ operation: 'verifyNumber', ...ids, otp: phone().otp });
	show('Verify Number', verified, { detail: `the newest code from the phone, shown as ${verified.otp}` });
	const details = await step({ operation: 'getNumberDetails', phoneNumber: number });
	show('Get Number Details', details, { detail: `status ${details.status}, quality ${details.qualityRating}, name ${details.verifiedName}` });
	console.log('Onboarding one new number, operation by operation');
	console.table(rows);
}
