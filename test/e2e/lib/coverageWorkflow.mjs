// A test-only workflow that drives every path the e2e checks in ONE `n8n execute` (each run
// costs seconds): Verify Number and Retry OTP with a good key, Verify with a bad key, and
// Verify with n8n's own "On Error: Continue (using error output)". Each branch gets its own
// numbers so the emulator's state changes (a verified number becomes approved) never depend
// on the order n8n runs the branches in.
import { EXAMPLE_CREDENTIAL as GOOD_KEY_CREDENTIAL } from '../../../scripts/n8n/credentials.mjs';
import { DEFAULT_ACCOUNT, NUMBERS } from '../../../emulator/fixtures.mjs';

export const COVERAGE_WORKFLOW_ID = 'kaleyraE2eCover1';
export const BAD_KEY_CREDENTIAL = { id: 'kaleyraBadKey001', name: 'Kaleyra with a wrong API key' };
export const FOREIGN_WABA = '766000000000999';

const [WABA] = DEFAULT_ACCOUNT.wabaIds;
const verifyItem = (number, { otp = number.otp, wabaId = WABA } = {}) => ({
	wabaId,
	phoneNumberId: number.id,
	phoneNumber: number.phoneNumber,
	otp,
});
const retryItem = (number, typeVerification) => ({
	wabaId: WABA,
	phoneNumberId: number.id,
	phoneNumber: number.phoneNumber,
	typeVerification,
});

/**
 * Each branch: the node that runs it, its operation, credential, settings, the items it gets
 * and what each item must become (Success, or Error with a code).
 */
export const BRANCHES = [
	{
		node: 'Verify (good key)',
		operation: 'verifyNumber',
		credential: GOOD_KEY_CREDENTIAL,
		cases: [
			{
				item: verifyItem(NUMBERS.pending1),
				expect: { phoneNumber: NUMBERS.pending1.phoneNumber, alreadyApproved: false },
			},
			{
				item: verifyItem(NUMBERS.pending2, { otp: '999999' }),
				expect: { phoneNumber: NUMBERS.pending2.phoneNumber, code: 'WA400' },
			},
			{
				item: verifyItem(NUMBERS.unavailable),
				expect: { phoneNumber: NUMBERS.unavailable.phoneNumber, code: 'WA500' },
			},
			{
				item: verifyItem(NUMBERS.pending2, { wabaId: FOREIGN_WABA }),
				expect: { phoneNumber: NUMBERS.pending2.phoneNumber, code: 'WA401' },
			},
		],
	},
	{
		node: 'Verify (bad key)',
		operation: 'verifyNumber',
		credential: BAD_KEY_CREDENTIAL,
		cases: [
			{
				item: verifyItem(NUMBERS.pendingLongId),
				expect: { phoneNumber: NUMBERS.pendingLongId.phoneNumber, code: 'RBC001' },
			},
		],
	},
	{
		node: 'Retry OTP',
		operation: 'retryOtp',
		credential: GOOD_KEY_CREDENTIAL,
		cases: [
			// A code sent: no alreadyApproved (Retry OTP's Success items carry it only when true).
			{
				item: retryItem(NUMBERS.pending2, 'SMS'),
				expect: { phoneNumber: NUMBERS.pending2.phoneNumber },
			},
			{
				item: retryItem(NUMBERS.pendingLongId, 'VOICE'),
				expect: { phoneNumber: NUMBERS.pendingLongId.phoneNumber },
			},
			{
				item: retryItem(NUMBERS.approved, 'SMS'),
				expect: { phoneNumber: NUMBERS.approved.phoneNumber, alreadyApproved: true },
			},
			{
				item: retryItem(NUMBERS.unavailable, 'VOICE'),
				expect: { phoneNumber: NUMBERS.unavailable.phoneNumber, code: 'WA500' },
			},
		],
	},
	{
		node: 'Verify (On Error: error output)',
		operation: 'verifyNumber',
		credential: GOOD_KEY_CREDENTIAL,
		settings: { onError: 'continueErrorOutput' },
		options: { treatAlreadyApprovedAsSuccess: false },
		cases: [
			{
				item: verifyItem(NUMBERS.pendingZeroOtp),
				expect: { phoneNumber: NUMBERS.pendingZeroOtp.phoneNumber, alreadyApproved: false },
			},
			{
				item: verifyItem(NUMBERS.approved),
				expect: { phoneNumber: NUMBERS.approved.phoneNumber, code: 'WA500' },
			},
		],
	},
];

const ITEMS_NODE = 'Items per branch';

function kaleyraNode(branch, index) {
	const fields =
		branch.operation === 'verifyNumber'
			? { otp: '={{ $json.otp }}' }
			: { typeVerification: '={{ $json.typeVerification }}' };
	return {
		id: `e2e-kaleyra-${index}`,
		name: branch.node,
		type: 'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumber',
		typeVersion: 1,
		position: [660, index * 200],
		...branch.settings,
		parameters: {
			operation: branch.operation,
			wabaId: '={{ $json.wabaId }}',
			phoneNumberId: '={{ $json.phoneNumberId }}',
			phoneNumber: '={{ $json.phoneNumber }}',
			...fields,
			options: branch.options ?? {},
		},
		credentials: { kaleyraWhatsAppApi: branch.credential },
	};
}

export function coverageWorkflow() {
	const splitName = (branch) => `Items for ${branch.node}`;
	const itemsByBranch = Object.fromEntries(
		BRANCHES.map((b, i) => [`branch${i}`, b.cases.map((c) => c.item)]),
	);
	const nodes = [
		{
			id: 'e2e-trigger',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'e2e-items',
			name: ITEMS_NODE,
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
			parameters: { mode: 'raw', jsonOutput: JSON.stringify(itemsByBranch), options: {} },
		},
		...BRANCHES.flatMap((branch, i) => [
			{
				id: `e2e-split-${i}`,
				name: splitName(branch),
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [440, i * 200],
				parameters: { fieldToSplitOut: `branch${i}`, options: {} },
			},
			kaleyraNode(branch, i),
		]),
	];
	const link = (to) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });
	const connections = {
		Start: link(ITEMS_NODE),
		[ITEMS_NODE]: { main: [BRANCHES.map((b) => ({ node: splitName(b), type: 'main', index: 0 }))] },
		...Object.fromEntries(BRANCHES.map((b) => [splitName(b), link(b.node)])),
	};
	return {
		id: COVERAGE_WORKFLOW_ID,
		name: 'Kaleyra e2e: every path in one run',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections,
		pinData: {},
	};
}
