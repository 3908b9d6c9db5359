// Reads Markdown the way GitHub renders it, as far as the docs tests need: what is visible (no
// HTML comments, no code), the links, the headings' anchors and the tables.

/** The text GitHub renders as prose: HTML comments, fenced code blocks and code spans blanked. */
export function visibleText(markdown) {
	return markdown
		.replace(/<!--[\s\S]*?-->/g, '')
		.replace(/^([ \t]*)(```|~~~)[^\n]*\n[\s\S]*?^\1\2[^\n]*$/gm, '')
		.replace(/`[^`\n]*`/g, '``');
}

/** Every link and image target: inline `[text](target "title")`, reference definitions, HTML. */
export function linkTargets(markdown) {
	const text = visibleText(markdown);
	const targets = [];
	const inline = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
	for (const match of text.matchAll(inline)) targets.push(match[1]);
	for (const match of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm))
		targets.push(match[1]);
	for (const match of text.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"/g))
		targets.push(match[1]);
	return targets;
}

/** A heading's text as rendered: code, emphasis and link syntax gone, the words kept. */
function renderedHeading(raw) {
	return raw
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/`([^`]*)`/g, '$1')
		.replace(/<[^>]+>/g, '')
		.replace(/(\*\*|__|\*|~~)/g, '');
}

/** GitHub's anchor for a heading (github-slugger): lower case, punctuation dropped, spaces to -. */
export function slug(heading) {
	return renderedHeading(heading)
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
		.replace(/ /g, '-');
}

/** The headings (ATX, outside code), in order, with their level and text. */
export function headings(markdown) {
	const text = markdown
		.replace(/<!--[\s\S]*?-->/g, '')
		.replace(/^([ \t]*)(```|~~~)[^\n]*\n[\s\S]*?^\1\2[^\n]*$/gm, '');
	return [...text.matchAll(/^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/gm)].map((match) => ({
		level: match[1].length,
		text: match[2],
	}));
}

/** Every anchor a page offers: its headings' slugs (repeats get -1, -2, …) and HTML ids. */
export function anchors(markdown) {
	const seen = new Map();
	const result = new Set();
	for (const { text } of headings(markdown)) {
		const base = slug(text);
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		result.add(count === 0 ? base : `${base}-${count}`);
	}
	for (const match of markdown.matchAll(/<a\s[^>]*?(?:id|name)="([^"]+)"/g)) result.add(match[1]);
	return result;
}

/**
 * The first table after the heading whose text is `heading`, as rows of trimmed cells (header
 * row first, the |---| row left out).
 */
export function tableAfter(markdown, heading) {
	const lines = markdown.split('\n');
	const at = lines.findIndex(
		(line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '') === heading,
	);
	if (at < 0) throw new Error(`no heading "${heading}"`);
	// A table may sit indented in a list item.
	const start = lines.findIndex((line, index) => index > at && line.trimStart().startsWith('|'));
	if (start < 0) throw new Error(`no table after "${heading}"`);
	const rows = [];
	for (const line of lines.slice(start).map((row) => row.trim())) {
		if (!line.startsWith('|')) break;
		if (/^\|[\s:|-]+\|$/.test(line)) continue;
		rows.push(
			line
				.slice(1, -1)
				.split('|')
				.map((cell) => cell.trim()),
		);
	}
	return rows;
}
