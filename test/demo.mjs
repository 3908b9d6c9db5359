// `npm run demo`: starts the Kaleyra emulator on 127.0.0.1 and runs a batch of
// numbers through Verify Number in n8n's engine, then shows what reached each output.
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
			code: item.json.code,
			alreadyApproved: item.json.alreadyApproved,
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
} finally {
	await emulator.close();
}
