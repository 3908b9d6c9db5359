/**
 * Where Kaleyra's documents leave a request's form open (the number in Get Number Details' path,
 * with "+" or as digits), the run learns it from the first item and keeps it for the others. A
 * read only: the other form is tried after a refusal a wrong form plausibly gets, and items
 * started meanwhile wait for the lesson instead of guessing. An unknown number is refused in both
 * forms and teaches nothing, so the next refused item may try the other form again, until a form
 * is learned: at most MAX_LEARNING_TRIES extra requests per run, so a batch of unknown numbers
 * costs a bounded few requests more, not one more per item.
 */
import type { RequestForms } from '../actions/operation';
import { isAccepted } from '../results/errorCatalogue';
import type { Sent } from './sendWithRetries';

export interface FormLesson {
	/** The form Kaleyra accepted in this run. */
	learned?: string;
	/** Extra requests spent on the other form so far in this run. */
	extraTries: number;
	/** While an item is learning, the others wait on this. */
	learning?: Promise<void>;
}

export const MAX_LEARNING_TRIES = 3;

export const createFormLesson = (): FormLesson => ({ extraTries: 0 });

const accepted = (sent: Sent | undefined) =>
	sent?.delivery.kind === 'answer' &&
	sent.delivery.envelope !== undefined &&
	isAccepted(sent.delivery.answer.statusCode, sent.delivery.envelope);

/** Sends in the form the run learned, or learns it; returns what was sent and in which form. */
export async function sendInLearnedForm(
	lesson: FormLesson,
	forms: RequestForms,
	send: (form: string) => Promise<Sent | undefined>,
): Promise<{ sent: Sent | undefined; form: string }> {
	while (lesson.learning) await lesson.learning;
	if (lesson.learned !== undefined) {
		return { sent: await send(lesson.learned), form: lesson.learned };
	}
	let learnt = () => {};
	lesson.learning = new Promise<void>((resolve) => {
		learnt = resolve;
	});
	try {
		const [likely, other] = forms.names;
		const first = await send(likely);
		if (accepted(first)) lesson.learned = likely;
		if (
			!first ||
			lesson.learned !== undefined ||
			other === undefined ||
			lesson.extraTries >= MAX_LEARNING_TRIES ||
			!forms.isWrongForm(first.delivery)
		)
			return { sent: first, form: likely };
		lesson.extraTries++;
		const second = await send(other);
		if (accepted(second)) lesson.learned = other;
		// Both tries count; an unknown number ends with Kaleyra's words for the second form.
		return {
			sent: second ? { ...second, attempts: first.attempts + second.attempts } : first,
			form: second ? other : likely,
		};
	} finally {
		lesson.learning = undefined;
		learnt();
	}
}
